package org.relais.app

import org.relais.core.HandoverProblem
import org.relais.core.HandoverReceiver
import org.relais.core.ReceivedCase
import org.relais.core.ReceiverKey
import org.relais.core.VaultException
import org.relais.core.qrMatrix

/**
 * "Receive a case": the receiving organisation's phone shows its key as a large QR code for the
 * sender to scan, with this phone's 30-digit fingerprint under it (a sender whose phone cannot
 * verify this one compares it in full), then reads the sender's animated codes with the camera
 * (how far it has come, and how many codes it refused). When the case is whole it is imported, and
 * the screen shows who sent it — *from <listed name> (verified)*, or *from someone calling itself
 * <name>, not in the directory* with the sender's fingerprint — and an acknowledgement QR for the
 * sender to scan; then the worker opens the case. The camera and the frames read are [FrameScan]'s.
 */
class HandoverReceiveActivity : BaseActivity() {
    private enum class Step { SCANNING, RECEIVED, FAILED }

    override val keepScreenOn = true

    private var step = Step.SCANNING
    private var key: ReceiverKey? = null
    private var received: ReceivedCase? = null
    private var failure: String? = null
    private val frames = FrameScan(
        this,
        waitingKey = "app.handover.waiting",
        accepting = { step == Step.SCANNING },
        onComplete = ::complete,
        onSeveral = { fail(t("app.handover.several")) },
    )

    /** The key's text, as its QR code encodes it (tests scan it instead of the camera). */
    val keyText: String? get() = key?.text

    /** The acknowledgement's text, as its QR code encodes it, once the case is received. */
    val ackText: String? get() = received?.ackText

    /** This phone's fingerprint, shown under the key. */
    val fingerprint: String? get() = key?.fingerprint

    override fun render() {
        if (step == Step.SCANNING && key == null && !openSession()) step = Step.FAILED
        if (isFinishing) return
        frames.stop()
        frames.detach()
        when (step) {
            Step.SCANNING -> scanningPage()
            Step.RECEIVED -> receivedPage()
            Step.FAILED -> failedPage()
        }
    }

    override fun onResume() {
        super.onResume()
        if (!isFinishing && step == Step.SCANNING) frames.start()
    }

    override fun onPause() {
        frames.stop()
        super.onPause()
    }

    override fun onDestroy() {
        frames.close()
        super.onDestroy()
    }

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        frames.permissionResult(requestCode, grantResults)
    }

    // --- the entries for decoded codes ----------------------------------------------------------

    /** One decoded QR text (the camera's decoder path, and tests). */
    fun onFrameText(text: String) = frames.onText(text)

    /** One camera frame's luminance (`width × height` bytes), read by the core's decoder. */
    fun onLuma(width: Int, height: Int, luma: ByteArray) = frames.onLuma(width, height, luma)

    // --- steps ------------------------------------------------------------------------------------

    private fun openSession(): Boolean {
        failure = null
        return try {
            key = vault.openReceiveSession(KEY_MINUTES.toUInt(), MAX_FRAGMENT.toUShort())
            frames.restart()
            true
        } catch (e: VaultException.Locked) {
            toUnlock()
            false
        } catch (e: VaultException) {
            failure = t("app.error.unexpected")
            false
        }
    }

    /** The case is whole: import it, and show who sent it and the acknowledgement. */
    private fun complete(scan: HandoverReceiver) {
        try {
            received = vault.receiveHandover(scan)
            step = Step.RECEIVED
            render()
        } catch (e: VaultException.Locked) {
            toUnlock()
        } catch (e: VaultException.HandoverRefused) {
            fail(
                when (e.problem) {
                    HandoverProblem.OLD_FORMAT -> t("app.handover.receive_old_format")
                    HandoverProblem.WRONG_RECEIVER -> t("app.handover.receive_wrong_receiver")
                    HandoverProblem.FUTURE -> t("app.handover.receive_future")
                    else -> t("app.handover.receive_failed")
                },
            )
        } catch (e: VaultException) {
            fail(t("app.handover.receive_failed"))
        } catch (e: IllegalStateException) {
            toUnlock() // the vault was locked meanwhile
        }
    }

    private fun fail(message: String) {
        failure = message
        step = Step.FAILED
        render()
    }

    private fun newKey() {
        key = null
        received = null
        step = Step.SCANNING
        render()
        frames.start()
    }

    // --- pages ------------------------------------------------------------------------------------

    private fun scanningPage() {
        val key = key ?: return
        val page = page()
        page.title(t("app.handover.receive_title"))
        page.heading(t("app.handover.show_key"))
        val bitmap = QrBitmaps.fitting(key.qr, qrWidth())
        page.image(QrBitmaps.view(this, bitmap), bitmap.width)
        page.body(t("app.handover.receiving_as", "organisation" to key.organisation))
        page.muted(t("app.handover.your_fingerprint"))
        page.view(Trust.view(this, key.fingerprint), top = 4)
        page.muted(t("app.handover.valid_for", "minutes" to KEY_MINUTES.toString()))
        page.button(t("app.handover.new_key")) { newKey() }

        page.divider()
        page.heading(t("app.handover.scan_frames"))
        frames.addTo(page)
        show(page)
    }

    private fun receivedPage() {
        val got = received ?: return
        val page = page()
        page.title(t("app.handover.received_title"))
        if (got.fromVerified) {
            page.body(t("app.handover.from_verified", "organisation" to got.fromOrganisation))
                .setTypeface(null, android.graphics.Typeface.BOLD)
        } else {
            page.banner(t("app.handover.from_unverified", "organisation" to got.fromOrganisation), danger = false)
            page.muted(t("app.handover.sender_fingerprint"))
            page.view(Trust.view(this, got.fromFingerprint, size = 22f), top = 4)
        }
        if (got.alreadyReceived) page.banner(t("app.handover.already"), danger = false)

        page.heading(t("app.handover.show_ack"))
        val ack = runCatching { qrMatrix(got.ackText) }.getOrNull()
        if (ack != null) {
            val bitmap = QrBitmaps.fitting(ack, qrWidth())
            page.image(QrBitmaps.view(this, bitmap), bitmap.width)
        }
        page.button(t("app.handover.open_case"), primary = true) {
            go(CaseDetailActivity::class.java) { putExtra(EXTRA_CASE, got.caseCode) }
            finish()
        }
        show(page)
    }

    private fun failedPage() {
        val page = page()
        page.title(t("app.handover.receive_title"))
        page.banner(failure ?: t("app.error.unexpected"))
        page.button(t("app.handover.new_key"), primary = true) { newKey() }
        show(page)
    }

    private fun qrWidth(): Int = resources.displayMetrics.widthPixels - dp(32)

    companion object {
        const val KEY_MINUTES = 10
        const val MAX_FRAGMENT = 939
    }
}
