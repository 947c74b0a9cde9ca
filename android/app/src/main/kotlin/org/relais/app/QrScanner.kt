package org.relais.app

import android.Manifest
import android.annotation.SuppressLint
import android.app.Activity
import android.content.pm.PackageManager
import android.graphics.ImageFormat
import android.graphics.Matrix
import android.graphics.SurfaceTexture
import android.hardware.camera2.CameraAccessException
import android.hardware.camera2.CameraCaptureSession
import android.hardware.camera2.CameraCharacteristics
import android.hardware.camera2.CameraDevice
import android.hardware.camera2.CameraManager
import android.hardware.camera2.CaptureRequest
import android.media.Image
import android.media.ImageReader
import android.os.Handler
import android.os.HandlerThread
import android.os.Looper
import android.util.Size
import android.view.Surface
import android.view.TextureView
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.math.abs
import kotlin.math.max

/**
 * The back camera as a QR reader for the handover screens and the directory screen: a live
 * preview, and the brightness (Y plane) of one frame at a time handed to [onFrame] on a background
 * thread — the receive screen and the directory screen give it to `HandoverReceiver.scanLuma`
 * (through [FrameScan]), the send screen to `decodeQrLuma`. Frames that arrive while one is being
 * read are dropped, so a slow phone never queues images.
 *
 * The camera permission is asked once per screen; without it, without a camera (and always under
 * Robolectric) the scanner says so through [onState] and nothing else happens. No image is ever
 * stored: each frame's bytes are overwritten by the next.
 */
class QrScanner(
    private val activity: Activity,
    /** One camera frame's luminance, `width × height` bytes; called on the scanning thread. */
    private val onFrame: (width: Int, height: Int, luma: ByteArray) -> Unit,
) {
    enum class State { OFF, STARTING, SCANNING, NO_PERMISSION, NO_CAMERA, FAILED }

    var state: State = State.OFF
        private set

    /** Called on the main thread when [state] changes. */
    var onState: (State) -> Unit = {}

    /** The live preview; put it on screen with [addTo]. */
    val preview: TextureView = TextureView(activity)

    private val main = Handler(Looper.getMainLooper())
    private var permissionAsked = false
    private var wanted = false

    /** Bumped by every start and stop: callbacks of an older start close what they opened. */
    @Volatile
    private var generation = 0

    /**
     * The camera's thread (its callbacks, copying frames) and the reading thread, for the scanner's
     * life; started with the camera's first use, so a screen without a camera starts no thread.
     */
    private val threads = lazy {
        val thread = HandlerThread("relais-camera").also { it.start() }
        val reading = Executors.newSingleThreadExecutor { r -> Thread(r, "relais-scan").apply { isDaemon = true } }
        Triple(thread, Handler(thread.looper), reading)
    }
    private val cameraHandler: Handler get() = threads.value.second

    /** Reading the QR codes of a frame (the slow part) runs here, one frame at a time. */
    private val scanning: ExecutorService get() = threads.value.third

    // Touched on the camera thread only.
    private var reader: ImageReader? = null
    private var device: CameraDevice? = null
    private var session: CameraCaptureSession? = null
    private var luma = ByteArray(0)

    @Volatile
    private var previewSize: Size? = null
    private val busy = AtomicBoolean(false)
    private var closed = false

    /**
     * The camera area of a screen: the preview, a line saying what the camera is doing, and a
     * button to allow the camera or try again. [text] gives the catalogue's messages.
     */
    fun addTo(page: Page, text: (String) -> String) {
        val status = page.muted("")
        val action = page.button("") { retry() }
        (preview.parent as? ViewGroup)?.removeView(preview)
        page.view(preview, top = 12).layoutParams.height = activity.dp(PREVIEW_DP)
        val update = { s: State ->
            status.text = text(messageKey(s))
            preview.visibility = if (s == State.STARTING || s == State.SCANNING) View.VISIBLE else View.GONE
            showAction(action, s, text)
        }
        onState = update
        update(state)
    }

    /** Starts the preview and frame reading (from the activity's onResume); asks for the camera once. */
    fun start() {
        wanted = true
        if (closed || state == State.STARTING || state == State.SCANNING) return
        if (activity.checkSelfPermission(Manifest.permission.CAMERA) != PackageManager.PERMISSION_GRANTED) {
            if (!permissionAsked) {
                permissionAsked = true
                activity.requestPermissions(arrayOf(Manifest.permission.CAMERA), PERMISSION_REQUEST)
            }
            set(State.NO_PERMISSION)
            return
        }
        open()
    }

    /** Stops the camera (from onPause, and when a screen no longer scans). */
    fun stop() {
        wanted = false
        release()
        if (state == State.STARTING || state == State.SCANNING) set(State.OFF)
    }

    /** Stops the camera for good and ends the scanner's threads (from onDestroy). */
    fun close() {
        stop()
        closed = true
        if (threads.isInitialized()) {
            scanning.shutdown()
            threads.value.first.quitSafely()
        }
    }

    /** The activity's onRequestPermissionsResult, passed on. */
    fun permissionResult(requestCode: Int, grants: IntArray) {
        if (requestCode != PERMISSION_REQUEST) return
        if (grants.firstOrNull() == PackageManager.PERMISSION_GRANTED && wanted) start()
    }

    private fun retry() {
        if (state == State.NO_PERMISSION) permissionAsked = false
        release()
        set(State.OFF)
        start()
    }

    private fun showAction(action: Button, s: State, text: (String) -> String) {
        val key = when (s) {
            State.NO_PERMISSION -> "app.camera.allow"
            State.FAILED -> "app.camera.retry"
            else -> null
        }
        action.visibility = if (key == null) View.GONE else View.VISIBLE
        if (key != null) action.text = text(key)
    }

    /** On the main thread. */
    private fun set(s: State) {
        state = s
        onState(s)
    }

    /** From any thread: the start [mine] failed, unless a newer start or a stop came since. */
    private fun failed(mine: Int) {
        main.post {
            if (mine == generation) {
                release()
                set(State.FAILED)
            }
        }
    }

    /** From the camera thread: the start [mine] is showing frames. */
    private fun running(mine: Int) {
        main.post { if (mine == generation && state == State.STARTING) set(State.SCANNING) }
    }

    // --- opening the camera ------------------------------------------------------------------------

    private fun open() {
        val manager = activity.getSystemService(CameraManager::class.java)
        val id = manager?.let { m -> runCatching { backCamera(m) }.getOrNull() }
        if (manager == null || id == null) {
            set(State.NO_CAMERA)
            return
        }
        val sizes = runCatching { sizes(manager, id) }.getOrNull()
        if (sizes == null) {
            set(State.FAILED)
            return
        }
        val mine = ++generation
        previewSize = sizes.second
        set(State.STARTING)
        whenPreviewReady(mine) { texture ->
            cameraHandler.post { openDevice(manager, id, sizes.first, texture, mine) }
        }
    }

    private fun whenPreviewReady(mine: Int, then: (SurfaceTexture) -> Unit) {
        val ready = preview.surfaceTexture
        if (preview.isAvailable && ready != null) {
            fitPreview(preview.width, preview.height)
            then(ready)
            return
        }
        preview.surfaceTextureListener = object : TextureView.SurfaceTextureListener {
            override fun onSurfaceTextureAvailable(texture: SurfaceTexture, width: Int, height: Int) {
                fitPreview(width, height)
                if (mine == generation) then(texture)
            }

            override fun onSurfaceTextureSizeChanged(texture: SurfaceTexture, width: Int, height: Int) {
                fitPreview(width, height)
            }

            override fun onSurfaceTextureDestroyed(texture: SurfaceTexture): Boolean {
                // The preview left the screen: the camera stops with it; the screen starts it again.
                release()
                if (state == State.STARTING || state == State.SCANNING) set(State.OFF)
                return true
            }

            override fun onSurfaceTextureUpdated(texture: SurfaceTexture) {}
        }
    }

    /** On the camera thread. */
    @SuppressLint("MissingPermission") // checked in start()
    private fun openDevice(manager: CameraManager, id: String, frameSize: Size, texture: SurfaceTexture, mine: Int) {
        if (mine != generation) return
        val frames = ImageReader.newInstance(frameSize.width, frameSize.height, ImageFormat.YUV_420_888, 2)
        frames.setOnImageAvailableListener({ r -> onImage(r, mine) }, cameraHandler)
        reader = frames
        try {
            manager.openCamera(id, object : CameraDevice.StateCallback() {
                override fun onOpened(camera: CameraDevice) {
                    if (mine != generation) {
                        camera.close()
                        return
                    }
                    device = camera
                    startSession(camera, frames, texture, mine)
                }

                override fun onDisconnected(camera: CameraDevice) {
                    camera.close()
                    failed(mine)
                }

                override fun onError(camera: CameraDevice, error: Int) {
                    camera.close()
                    failed(mine)
                }
            }, cameraHandler)
        } catch (e: CameraAccessException) {
            failed(mine)
        } catch (e: SecurityException) {
            failed(mine)
        }
    }

    /** On the camera thread. */
    private fun startSession(camera: CameraDevice, frames: ImageReader, texture: SurfaceTexture, mine: Int) {
        previewSize?.let { texture.setDefaultBufferSize(it.width, it.height) }
        val shown = Surface(texture)
        val callback = object : CameraCaptureSession.StateCallback() {
            override fun onConfigured(s: CameraCaptureSession) {
                if (mine != generation) {
                    s.close()
                    return
                }
                session = s
                repeatCapture(camera, s, shown, frames.surface, mine)
            }

            override fun onConfigureFailed(s: CameraCaptureSession) {
                failed(mine)
            }
        }
        try {
            @Suppress("DEPRECATION") // the List<Surface> form is the one there is on API 24–27
            camera.createCaptureSession(listOf(shown, frames.surface), callback, cameraHandler)
        } catch (e: CameraAccessException) {
            failed(mine)
        } catch (e: IllegalStateException) {
            failed(mine)
        }
    }

    /** On the camera thread. */
    private fun repeatCapture(camera: CameraDevice, s: CameraCaptureSession, shown: Surface, frames: Surface, mine: Int) {
        try {
            val request = camera.createCaptureRequest(CameraDevice.TEMPLATE_PREVIEW).apply {
                addTarget(shown)
                addTarget(frames)
                set(CaptureRequest.CONTROL_AF_MODE, CaptureRequest.CONTROL_AF_MODE_CONTINUOUS_PICTURE)
            }
            s.setRepeatingRequest(request.build(), null, cameraHandler)
            running(mine)
        } catch (e: CameraAccessException) {
            failed(mine)
        } catch (e: IllegalStateException) {
            failed(mine)
        }
    }

    /**
     * Makes every callback of the current start stale, and closes the session, the camera and the
     * frame reader on the camera thread (after any callback already running there).
     */
    private fun release() {
        generation++
        if (closed || !threads.isInitialized()) return
        cameraHandler.post {
            runCatching { session?.close() }
            runCatching { device?.close() }
            runCatching { reader?.close() }
            session = null
            device = null
            reader = null
        }
    }

    // --- frames ------------------------------------------------------------------------------------

    /** On the camera thread: copies the newest frame's Y plane, unless one is still being read. */
    private fun onImage(reader: ImageReader, mine: Int) {
        val image = try {
            reader.acquireLatestImage()
        } catch (e: IllegalStateException) {
            null
        } ?: return
        if (mine != generation || !busy.compareAndSet(false, true)) {
            image.close()
            return
        }
        val width = image.width
        val height = image.height
        try {
            copyLuma(image)
        } catch (e: IllegalStateException) {
            busy.set(false)
            return
        } finally {
            image.close()
        }
        val frame = luma
        try {
            scanning.execute {
                try {
                    if (mine == generation) onFrame(width, height, frame)
                } finally {
                    busy.set(false)
                }
            }
        } catch (e: java.util.concurrent.RejectedExecutionException) {
            busy.set(false)
        }
    }

    private fun copyLuma(image: Image) {
        val plane = image.planes[0]
        val width = image.width
        val height = image.height
        if (luma.size != width * height) luma = ByteArray(width * height)
        val buffer = plane.buffer
        val rowStride = plane.rowStride
        val pixelStride = plane.pixelStride
        if (pixelStride == 1 && rowStride == width) {
            buffer.get(luma, 0, width * height)
        } else if (pixelStride == 1) {
            for (y in 0 until height) {
                buffer.position(y * rowStride)
                buffer.get(luma, y * width, width)
            }
        } else {
            for (y in 0 until height) {
                for (x in 0 until width) luma[y * width + x] = buffer.get(y * rowStride + x * pixelStride)
            }
        }
    }

    // --- camera and sizes --------------------------------------------------------------------------

    private fun backCamera(manager: CameraManager): String? {
        val ids = manager.cameraIdList
        return ids.firstOrNull {
            manager.getCameraCharacteristics(it).get(CameraCharacteristics.LENS_FACING) ==
                CameraCharacteristics.LENS_FACING_BACK
        } ?: ids.firstOrNull()
    }

    /** The frame size nearest 1280×720 (at most 1920×1080) and the preview size nearest to it. */
    private fun sizes(manager: CameraManager, id: String): Pair<Size, Size>? {
        val map = manager.getCameraCharacteristics(id).get(CameraCharacteristics.SCALER_STREAM_CONFIGURATION_MAP)
            ?: return null
        val frames = map.getOutputSizes(ImageFormat.YUV_420_888)?.toList().orEmpty()
        val frame = nearest(frames, TARGET) ?: return null
        val shown = nearest(map.getOutputSizes(SurfaceTexture::class.java)?.toList().orEmpty(), frame) ?: frame
        return frame to shown
    }

    private fun nearest(sizes: List<Size>, target: Size): Size? {
        val fitting = sizes.filter { it.width * it.height <= MAX_PIXELS }.ifEmpty { sizes }
        return fitting.minByOrNull { abs(it.width * it.height - target.width * target.height) }
    }

    /** Fills the preview without stretching: the camera's picture, turned upright, cropped to the view. */
    private fun fitPreview(viewWidth: Int, viewHeight: Int) {
        val size = previewSize ?: return
        if (viewWidth == 0 || viewHeight == 0) return
        // The activity is portrait-only: the sensor's landscape picture arrives turned upright.
        val contentWidth = size.height.toFloat()
        val contentHeight = size.width.toFloat()
        val scale = max(viewWidth / contentWidth, viewHeight / contentHeight)
        val matrix = Matrix()
        matrix.setScale(
            contentWidth * scale / viewWidth,
            contentHeight * scale / viewHeight,
            viewWidth / 2f,
            viewHeight / 2f,
        )
        preview.setTransform(matrix)
    }

    companion object {
        const val PERMISSION_REQUEST = 4511
        const val PREVIEW_DP = 240
        private val TARGET = Size(1280, 720)
        private const val MAX_PIXELS = 1920 * 1080

        /** What the camera line says in each state (catalogue keys). */
        fun messageKey(state: State): String = when (state) {
            State.OFF, State.STARTING -> "app.camera.starting"
            State.SCANNING -> "app.camera.scanning"
            State.NO_PERMISSION -> "app.camera.permission"
            State.NO_CAMERA -> "app.camera.none"
            State.FAILED -> "app.camera.failed"
        }
    }
}
