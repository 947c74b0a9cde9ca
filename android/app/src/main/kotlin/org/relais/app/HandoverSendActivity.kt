package org.relais.app

import android.content.Context
import android.content.Intent
import android.graphics.Bitmap
import android.graphics.Typeface
import android.os.Handler
import android.os.Looper
import android.view.View
import android.widget.ImageView
import android.widget.TextView
import org.relais.core.ConsentPurpose
import org.relais.core.HandoverException
import org.relais.core.HandoverSender
import org.relais.core.VaultException
import org.relais.core.decodeQrLuma

/**
 * "Hand over by QR", from a case: the worker scans the receiving organisation's key with the
 * camera, confirms that the person agrees to the handover to that organisation, then shows the
 * case as animated QR codes for the receiving phone to read, with a six-digit code to compare
 * aloud with the receiver's screen. Last, the worker scans the receiver's acknowledgement, which
 * records on the case that the organisation has it. Without the person's consent nothing is sent.
 */
class HandoverSendActivity : BaseActivity() {
    private enum class Step { NO_CASE, SCAN_KEY, CONSENT_QUESTION, FRAMES, SCAN_ACK, DONE, NOT_SENT }

    override val keepScreenOn = true

    private var step = Step.SCAN_KEY
    private var started = false
    private var code: String? = null
    private var keyText: String? = null
    /** A key the core refused (expired, damaged): the camera keeps seeing it, it is not retried. */
    private var refusedKey: String? = null
    private var organisation: String = ""
    private var sender: HandoverSender? = null
    private var message: String? = null
    private var scanner: QrScanner? = null
    private var resumed = false

    private var frames: List<Bitmap> = emptyList()
    private var frameIndex = 0
    private var encoding = false
    private var frameView: ImageView? = null
    private var frameLine: TextView? = null
    private var messageView: TextView? = null
    private val main = Handler(Looper.getMainLooper())
    private val ticker = object : Runnable {
        override fun run() {
            if (frames.isEmpty()) return
            frameIndex = (frameIndex + 1) % frames.size
            showFrame()
            main.postDelayed(this, FRAME_MS)
        }
    }

    /** The six-digit code shown to compare with the receiver's screen, once the case is sealed. */
    val sas: String? get() = sender?.sas()

    /** The texts of one loop of frames (what the animated QR codes encode); empty before sealing. */
    fun frameTexts(): List<String> {
        val out = sender ?: return emptyList()
        return (1u..out.loopLength()).map { out.frameText(it) }
    }

    override fun render() {
        if (!started) start()
        if (isFinishing) return
        scanner?.stop()
        main.removeCallbacks(ticker)
        frameView = null
        frameLine = null
        messageView = null
        when (step) {
            Step.NO_CASE -> noCasePage()
            Step.SCAN_KEY -> scanPage(t("app.handover.scan_key"), t("app.handover.scan_key_help"))
            Step.CONSENT_QUESTION -> consentQuestionPage()
            Step.FRAMES -> framesPage()
            Step.SCAN_ACK -> scanPage(t("app.handover.scan_ack"), t("app.handover.scan_ack_help"))
            Step.DONE -> donePage()
            Step.NOT_SENT -> notSentPage()
        }
        if (resumed) resumeStep()
    }

    override fun onResume() {
        super.onResume()
        if (isFinishing) return
        resumed = true
        resumeStep()
    }

    override fun onPause() {
        resumed = false
        scanner?.stop()
        main.removeCallbacks(ticker)
        super.onPause()
    }

    override fun onDestroy() {
        main.removeCallbacks(ticker)
        scanner?.close()
        sender?.close()
        sender = null
        super.onDestroy()
    }

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        scanner?.permissionResult(requestCode, grantResults)
    }

    /** The camera runs while a code is to be scanned; the frames turn while they are shown. */
    private fun resumeStep() {
        when (step) {
            Step.SCAN_KEY, Step.SCAN_ACK -> scanner?.start()
            Step.FRAMES -> if (frames.isNotEmpty()) {
                main.removeCallbacks(ticker)
                main.postDelayed(ticker, FRAME_MS)
            }
            else -> Unit
        }
    }

    private fun start() {
        started = true
        val case = intent.getStringExtra(EXTRA_CASE)
        code = case
        step = try {
            if (case == null) Step.NO_CASE else Step.SCAN_KEY.also { vault.caseDetail(case) }
        } catch (e: VaultException.Locked) {
            toUnlock()
            Step.NO_CASE
        } catch (e: VaultException) {
            Step.NO_CASE
        }
    }

    // --- the entry for decoded codes --------------------------------------------------------------

    /** One decoded QR text: the receiver's key (first step) or its acknowledgement (last step). */
    fun onScanned(text: String) {
        when (step) {
            Step.SCAN_KEY -> useKey(text.trim())
            Step.SCAN_ACK -> useAck(text.trim())
            else -> Unit
        }
    }

    /** From the camera's scanning thread: the core's decoder reads the frame. */
    private fun onCameraFrame(width: Int, height: Int, luma: ByteArray) {
        val texts = try {
            decodeQrLuma(width.toUInt(), height.toUInt(), luma)
        } catch (e: HandoverException) {
            return
        }
        if (texts.isNotEmpty()) main.post { texts.forEach(::onScanned) }
    }

    private fun useKey(text: String) {
        // A receiver key says what it is in its first characters (docs/handover-format.md §1): a
        // code of anything else is not sent to the core as a key, nor mistaken for missing consent.
        if (!text.startsWith(KEY_PREFIX)) {
            showMessage(t("app.handover.not_a_key"))
            return
        }
        if (text == refusedKey) return
        keyText = text
        seal(afterConsent = false)
    }

    /**
     * Seals the case to the scanned key. Without the person's consent to the organisation the key
     * names, the core refuses and names that organisation: then the person is asked about it. An
     * expired or damaged key is refused as such.
     */
    private fun seal(afterConsent: Boolean) {
        val case = code ?: return
        val key = keyText ?: return
        message = null
        try {
            sender?.close()
            sender = vault.sendHandover(case, key)
            step = Step.FRAMES
            encodeFrames()
        } catch (e: VaultException.HandoverConsentRequired) {
            organisation = e.organisation
            if (afterConsent) {
                // Recorded, yet still refused: never loop on the question.
                message = t("app.error.unexpected")
                step = Step.NOT_SENT
            } else {
                step = Step.CONSENT_QUESTION
            }
        } catch (e: VaultException.Invalid) {
            refusedKey = keyText
            keyText = null
            message = t("app.handover.key_refused")
            step = Step.SCAN_KEY
        } catch (e: VaultException.Locked) {
            toUnlock()
            return
        } catch (e: VaultException.NoSuch) {
            step = Step.NO_CASE
        } catch (e: VaultException.Tampered) {
            message = t("app.handover.damaged")
            step = Step.NOT_SENT
        } catch (e: VaultException) {
            message = t("app.error.unexpected")
            step = Step.NOT_SENT
        }
        render()
    }

    private fun agreed() {
        val case = code ?: return
        try {
            vault.recordConsent(case, ConsentPurpose.HANDOVER, organisation)
        } catch (e: VaultException.Locked) {
            toUnlock()
            return
        } catch (e: VaultException) {
            message = t("app.error.unexpected")
            step = Step.NOT_SENT
            render()
            return
        }
        seal(afterConsent = true)
    }

    private fun refused() {
        message = null
        keyText = null
        step = Step.NOT_SENT
        render()
    }

    private fun useAck(text: String) {
        val case = code ?: return
        try {
            val acknowledged = vault.recordAck(text)
            if (acknowledged != case) {
                showMessage(t("app.handover.not_the_ack"))
                return
            }
        } catch (e: VaultException.Locked) {
            toUnlock()
            return
        } catch (e: VaultException) {
            showMessage(t("app.handover.not_the_ack"))
            return
        }
        step = Step.DONE
        render()
    }

    /** One loop of frames drawn as bitmaps off the UI thread (a few milliseconds each). */
    private fun encodeFrames() {
        val out = sender ?: return
        if (frames.isNotEmpty() || encoding) return
        encoding = true
        val width = qrWidth()
        Work.run({
            (1u..out.loopLength()).map { QrBitmaps.fitting(out.frame(it), width) }
        }) { outcome ->
            encoding = false
            val drawn = outcome.getOrNull()
            if (drawn == null) {
                // A screen closed meanwhile (its sender closed) gives up quietly; else it says so.
                if (sender != null && step == Step.FRAMES) toStep(Step.FRAMES, t("app.error.unexpected"))
                return@run
            }
            frames = drawn
            frameIndex = 0
            if (step == Step.FRAMES) render()
        }
    }

    private fun showFrame() {
        val bitmap = frames.getOrNull(frameIndex) ?: return
        frameView?.let { QrBitmaps.show(it, bitmap) }
        frameLine?.text = t(
            "app.handover.frame",
            "index" to (frameIndex + 1).toString(),
            "count" to frames.size.toString(),
        )
    }

    /** A message on a scanning page, changed in place (rebuilding the page would restart the camera). */
    private fun showMessage(text: String) {
        message = text
        messageView?.let {
            it.text = text
            it.visibility = View.VISIBLE
        }
    }

    // --- pages ------------------------------------------------------------------------------------

    private fun scanPage(heading: String, help: String) {
        val page = page()
        page.title(t("app.handover.send_title"))
        sas?.let {
            page.view(sasView(this, it), top = 12)
            page.muted(t("app.handover.to", "organisation" to receiverOrganisation()))
        }
        page.heading(heading)
        page.body(help)
        messageView = page.banner(message ?: "").apply { if (message == null) visibility = View.GONE }
        camera().addTo(page, ::t)
        if (step == Step.SCAN_ACK) page.button(t("app.handover.show_again")) { toStep(Step.FRAMES) }
        show(page)
    }

    private fun consentQuestionPage() {
        val page = page()
        page.title(t("app.handover.send_title"))
        page.heading(t("app.handover.consent_title"))
        page.body(t("app.handover.consent_missing"))
        page.body(t("app.handover.consent_question", "organisation" to organisation))
        page.button(t("app.handover.consent_yes"), primary = true) { agreed() }
        page.button(t("app.handover.consent_no")) { refused() }
        page.button(t("app.handover.scan_again")) {
            keyText = null
            message = null
            toStep(Step.SCAN_KEY)
        }
        show(page)
    }

    private fun framesPage() {
        val out = sender ?: return toStep(Step.NOT_SENT)
        val page = page()
        page.title(t("app.handover.send_title"))
        page.view(sasView(this, out.sas()), top = 12)
        page.body(t("app.handover.sas_send"))
        page.muted(t("app.handover.to", "organisation" to out.receiverOrganisation()))
        page.heading(t("app.handover.show_frames"))
        message?.let { page.banner(it) }
        if (frames.isEmpty()) {
            if (message == null) page.muted(t("app.handover.preparing"))
        } else {
            frameView = page.image(QrBitmaps.view(this), frames[0].width)
            frameLine = page.muted("")
            showFrame()
        }
        page.button(t("app.handover.to_ack"), primary = true) { toStep(Step.SCAN_ACK) }
        show(page)
    }

    private fun donePage() {
        val page = page()
        page.title(t("app.handover.send_title"))
        page.banner(t("app.handover.acknowledged", "organisation" to receiverOrganisation()), danger = false)
        sas?.let { page.view(sasView(this, it), top = 12) }
        page.button(t("app.handover.back_to_case"), primary = true) { backToCase() }
        show(page)
    }

    private fun notSentPage() {
        val page = page()
        page.title(t("app.handover.send_title"))
        message?.let { page.banner(it) }
        page.banner(t("app.handover.not_sent"), danger = false)
        page.button(t("app.handover.back_to_case"), primary = true) { backToCase() }
        show(page)
    }

    private fun noCasePage() {
        val page = page()
        page.title(t("app.handover.send_title"))
        page.banner(t("app.handover.no_case"))
        show(page)
    }

    private fun toStep(next: Step, note: String? = null) {
        step = next
        message = note
        render()
    }

    private fun backToCase() {
        val case = code
        if (case != null) {
            go(CaseDetailActivity::class.java) {
                putExtra(EXTRA_CASE, case)
                addFlags(Intent.FLAG_ACTIVITY_CLEAR_TOP)
            }
        }
        finish()
    }

    private fun receiverOrganisation(): String = sender?.receiverOrganisation() ?: organisation

    private fun camera(): QrScanner =
        scanner ?: QrScanner(this, ::onCameraFrame).also { scanner = it }

    private fun qrWidth(): Int = resources.displayMetrics.widthPixels - dp(32)

    companion object {
        /** Frames change four times a second: what cheap cameras read reliably. */
        const val FRAME_MS = 250L

        /** The start of every receiver key's text (docs/handover-format.md §1). */
        const val KEY_PREFIX = "RLK1:"

        /** The six-digit code, very large, for two people to read aloud (both handover screens). */
        fun sasView(context: Context, sas: String): TextView = TextView(context).apply {
            text = sas
            textSize = 44f
            setTypeface(Typeface.MONOSPACE, Typeface.BOLD)
            setTextColor(Palette.INK)
            textAlignment = View.TEXT_ALIGNMENT_CENTER
            textDirection = View.TEXT_DIRECTION_LTR // rtl-exempt: digits read left to right in every language
        }
    }
}
