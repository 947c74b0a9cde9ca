package org.relais.app

import android.app.Activity
import android.os.Handler
import android.os.Looper
import android.widget.ProgressBar
import android.widget.TextView
import org.relais.core.HandoverException
import org.relais.core.HandoverReceiver
import org.relais.core.ScanProgress
import org.relais.core.ScanStatus
import org.relais.core.uiText
import org.relais.core.uiTextWith

/**
 * Reading one message shown as animated QR frames (docs/handover-frames.md): a case on "Receive a
 * case", the signed directory file on the directory screen. The camera ([QrScanner]: each frame's
 * luminance read by the core's decoder, off the main thread) or decoded texts (tests) go into one
 * core `HandoverReceiver`; a progress line and bar on the page are updated in place (rebuilding
 * the page would restart the camera), codes that are not frames are counted as refused, and once
 * the message is whole the camera stops and [onComplete] gets the receiver. Codes of two messages
 * at once call [onSeveral]. Nothing is delivered while [accepting] says no (the screen moved on).
 *
 * The screen passes on its lifecycle: [start] from onResume while scanning, [stop] from onPause,
 * [close] from onDestroy, [permissionResult] from onRequestPermissionsResult.
 */
class FrameScan(
    private val activity: Activity,
    /** What the progress line says before any code was read (a catalogue key). */
    private val waitingKey: String,
    private val accepting: () -> Boolean,
    private val onComplete: (HandoverReceiver) -> Unit,
    private val onSeveral: () -> Unit,
) {
    private val main = Handler(Looper.getMainLooper())
    private var scanner: QrScanner? = null
    private var line: TextView? = null
    private var bar: ProgressBar? = null

    /** The frames read so far; none before the first [restart], a new one for every new reading. */
    var receiver: HandoverReceiver? = null
        private set

    /** Starts again from nothing (a new key, another directory, after codes of two messages). */
    fun restart() {
        receiver?.close()
        receiver = HandoverReceiver()
        show(receiver?.progress() ?: return, complete = false)
    }

    /** One decoded QR text (the camera's decoder path, and tests); on the main thread. */
    fun onText(text: String) {
        val scan = receiver ?: return
        if (!accepting()) return
        val progress = try {
            scan.scanText(text)
        } catch (e: HandoverException.SeveralCases) {
            return onSeveral()
        } catch (e: HandoverException) {
            scan.progress() // not a frame, or a damaged one: counted, shown, and scanning goes on
        }
        show(progress)
    }

    /** One camera frame's luminance (`width × height` bytes); on the main thread (tests). */
    fun onLuma(width: Int, height: Int, luma: ByteArray) {
        if (!accepting()) return
        read(width, height, luma)?.let(::show)
    }

    /** From the camera's scanning thread. */
    private fun onCameraFrame(width: Int, height: Int, luma: ByteArray) {
        val progress = read(width, height, luma) ?: return
        main.post { if (accepting()) show(progress) }
    }

    /** Reads a frame; on any thread. Null: nothing to show (an unreadable frame, or the screen is closing). */
    private fun read(width: Int, height: Int, luma: ByteArray): ScanProgress? {
        val scan = receiver ?: return null
        return try {
            scan.scanLuma(width.toUInt(), height.toUInt(), luma)
        } catch (e: HandoverException.SeveralCases) {
            main.post { if (accepting()) onSeveral() }
            null
        } catch (e: HandoverException) {
            null
        } catch (e: IllegalStateException) {
            null // the receiver was closed with the screen, or restarted
        }
    }

    private fun show(progress: ScanProgress, complete: Boolean = true) {
        line?.text = progressText(progress)
        bar?.progress = progress.percent.toInt()
        if (complete && progress.status == ScanStatus.COMPLETE) {
            scanner?.stop()
            receiver?.let(onComplete)
        }
    }

    fun progressText(progress: ScanProgress): String {
        val language = AppState.get(activity).language
        return if (progress.status == ScanStatus.WAITING && progress.refused == 0u) {
            uiText(language, waitingKey)
        } else {
            uiTextWith(
                language,
                "app.handover.progress",
                mapOf(
                    "percent" to progress.percent.toString(),
                    "parts" to progress.received.toString(),
                    "refused" to progress.refused.toString(),
                ),
            )
        }
    }

    /** The progress line and bar, and the camera area, on [page]. */
    fun addTo(page: Page) {
        val progress = receiver?.progress()
        line = page.body(progress?.let(::progressText) ?: uiText(AppState.get(activity).language, waitingKey))
        bar = page.view(
            ProgressBar(activity, null, android.R.attr.progressBarStyleHorizontal).apply {
                max = 100
                this.progress = progress?.percent?.toInt() ?: 0
            },
        )
        camera().addTo(page) { key -> uiText(AppState.get(activity).language, key) }
    }

    /** The page no longer shows the progress (another step is on screen). */
    fun detach() {
        line = null
        bar = null
    }

    /** Starts the camera shown by [addTo] (from onResume, or when scanning starts again). */
    fun start() {
        scanner?.start()
    }

    fun stop() {
        scanner?.stop()
    }

    fun close() {
        scanner?.close()
        scanner = null
        receiver?.close()
        receiver = null
    }

    fun permissionResult(requestCode: Int, grants: IntArray) {
        scanner?.permissionResult(requestCode, grants)
    }

    private fun camera(): QrScanner =
        scanner ?: QrScanner(activity, ::onCameraFrame).also { scanner = it }
}
