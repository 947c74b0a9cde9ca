package org.relais.app

import android.content.Intent
import android.graphics.Bitmap
import android.os.Handler
import android.os.Looper
import android.view.View
import android.widget.ImageView
import android.widget.TextView
import org.relais.core.ConsentPurpose
import org.relais.core.HandoverException
import org.relais.core.HandoverProblem
import org.relais.core.HandoverSender
import org.relais.core.ReceiverCheckView
import org.relais.core.VaultException
import org.relais.core.Verification
import org.relais.core.decodeQrLuma

/**
 * "Hand over by QR", from a case: the worker scans the receiving organisation's key with the
 * camera, and the phone says who it belongs to before anything is sealed (docs/handover-format.md
 * §1): *verified* with its listed name and area when the signed directory lists it, *verified by
 * you on …* when this phone remembered it, else *not verified*, with the name it claims and its
 * 30-digit fingerprint to compare in full with the receiving phone's screen ("Same on both
 * screens" / "Different — cancel", and "Remember this receiver"). Then the person's consent to
 * that receiver as verified, the case as animated QR codes for the receiving phone to read, and
 * last the receiver's acknowledgement, which records on the case that the organisation has it.
 * Without the comparison, or without the person's consent, nothing is sealed.
 */
class HandoverSendActivity : BaseActivity() {
    private enum class Step { NO_CASE, SCAN_KEY, VERIFY, CONSENT_QUESTION, FRAMES, SCAN_ACK, DONE, NOT_SENT }

    override val keepScreenOn = true

    private var step = Step.SCAN_KEY
    private var started = false
    private var code: String? = null
    private var keyText: String? = null
    /** A key the core refused (expired, damaged): the camera keeps seeing it, it is not retried. */
    private var refusedKey: String? = null
    /** Who the scanned key belongs to, as this phone can tell, before anything is sealed. */
    private var check: ReceiverCheckView? = null
    /** The fingerprint the worker saw to be the same on both screens (an unverified receiver). */
    private var confirmed: String? = null
    private var remember = false
    /** What the person's consent must name: the receiver as verified (the core says it). */
    private var consentTarget: String = ""
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

    /** Whether the case is sealed (frames can be shown). */
    val sealed: Boolean get() = sender != null

    /** Who the receiver is, as shown: the check of the scanned key, or the one the case was sealed to. */
    val receiver: ReceiverCheckView? get() = sender?.receiver() ?: check

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
            Step.VERIFY -> verifyPage()
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
        // A receiver key says what it is in its first characters (docs/handover-format.md §2): a
        // code of anything else is not sent to the core as a key, nor mistaken for missing consent.
        // A key of another format version goes on, for the core to say which.
        if (!KEY_PREFIX.containsMatchIn(text)) {
            showMessage(t("app.handover.not_a_key"))
            return
        }
        if (text == refusedKey) return
        val seen = try {
            vault.checkReceiver(text)
        } catch (e: VaultException.Locked) {
            toUnlock()
            return
        } catch (e: VaultException) {
            refuseKey(text, e)
            return
        }
        keyText = text
        check = seen
        confirmed = null
        remember = false
        if (seen.verification == Verification.NOT_VERIFIED) {
            message = null
            toStep(Step.VERIFY)
        } else {
            seal(afterConsent = false)
        }
    }

    /** A key that cannot be used: said why, not retried while the camera keeps seeing it. */
    private fun refuseKey(text: String?, e: VaultException) {
        refusedKey = text
        keyText = null
        check = null
        val problem = (e as? VaultException.HandoverRefused)?.problem
        message = when (problem) {
            HandoverProblem.OLD_FORMAT -> t("app.handover.key_old_format")
            HandoverProblem.UNSUPPORTED -> t("app.handover.key_newer")
            HandoverProblem.FUTURE -> t("app.handover.key_future")
            HandoverProblem.NOT_RELAIS -> t("app.handover.not_a_key")
            else -> t("app.handover.key_refused")
        }
        step = Step.SCAN_KEY
        render()
    }

    /** "Same on both screens": the fingerprint compared is passed to the core with the seal. */
    private fun same(rememberIt: Boolean) {
        val seen = check ?: return
        confirmed = seen.fingerprint
        remember = rememberIt
        seal(afterConsent = false)
    }

    /** "Different — cancel": nothing is sealed; another phone may be posing as the receiver. */
    private fun different() {
        keyText = null
        check = null
        confirmed = null
        message = t("app.handover.fingerprint_differs")
        toStep(Step.NOT_SENT, message)
    }

    /**
     * Seals the case to the scanned key, verified: listed, remembered, or its fingerprint
     * confirmed. Without the person's consent to that receiver as verified, the core refuses and
     * names it: then the person is asked about exactly that. A key that cannot be used is refused
     * as such.
     */
    private fun seal(afterConsent: Boolean) {
        val case = code ?: return
        val key = keyText ?: return
        message = null
        try {
            sender?.close()
            sender = vault.sendHandover(case, key, confirmed, remember)
            step = Step.FRAMES
            encodeFrames()
        } catch (e: VaultException.HandoverConsentRequired) {
            consentTarget = e.organisation
            if (afterConsent) {
                // Recorded, yet still refused: never loop on the question.
                message = t("app.error.unexpected")
                step = Step.NOT_SENT
            } else {
                step = Step.CONSENT_QUESTION
            }
        } catch (e: VaultException.ReceiverNotVerified) {
            // No longer listed nor remembered (the directory changed meanwhile): compare first.
            check = runCatching { vault.checkReceiver(key) }.getOrNull()
            confirmed = null
            step = if (check == null) Step.NOT_SENT else Step.VERIFY
        } catch (e: VaultException.FingerprintMismatch) {
            message = t("app.handover.fingerprint_differs")
            step = Step.NOT_SENT
        } catch (e: VaultException.HandoverRefused) {
            return refuseKey(keyText, e)
        } catch (e: VaultException.Invalid) {
            return refuseKey(keyText, e)
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
            vault.recordConsent(case, ConsentPurpose.HANDOVER, consentTarget)
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
        check = null
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

    /** Who the receiver is, as this phone can tell: the first thing every later step shows. */
    private fun receiverLines(page: Page, seen: ReceiverCheckView) {
        when (seen.verification) {
            Verification.LISTED -> {
                page.body(
                    if (seen.area.isBlank()) {
                        t("app.handover.verified_listed_no_area", "organisation" to seen.organisation)
                    } else {
                        t("app.handover.verified_listed", "organisation" to seen.organisation, "area" to seen.area)
                    },
                ).setTypeface(null, android.graphics.Typeface.BOLD)
                if (seen.fictitious) page.banner(t("app.handover.verified_fictitious"), danger = false)
            }
            Verification.PINNED -> page.body(
                t(
                    "app.handover.verified_pinned",
                    "date" to Trust.date(seen.pinnedAt ?: 0),
                    "organisation" to seen.organisation,
                ),
            ).setTypeface(null, android.graphics.Typeface.BOLD)
            Verification.NOT_VERIFIED -> if (confirmed != null) {
                page.body(t("app.handover.compared", "organisation" to seen.claimed))
            } else {
                page.banner(t("app.handover.not_verified", "organisation" to seen.claimed))
            }
        }
    }

    private fun scanPage(heading: String, help: String) {
        val page = page()
        page.title(t("app.handover.send_title"))
        sender?.let { page.muted(t("app.handover.to", "organisation" to it.receiverOrganisation())) }
        page.heading(heading)
        page.body(help)
        messageView = page.banner(message ?: "").apply { if (message == null) visibility = View.GONE }
        camera().addTo(page, ::t)
        if (step == Step.SCAN_ACK) page.button(t("app.handover.show_again")) { toStep(Step.FRAMES) }
        show(page)
    }

    /** A receiver no directory vouches for: its fingerprint, compared in full before sealing. */
    private fun verifyPage() {
        val seen = check ?: return toStep(Step.SCAN_KEY)
        val page = page()
        page.title(t("app.handover.send_title"))
        receiverLines(page, seen)
        page.heading(t("app.handover.compare_title"))
        page.body(t("app.handover.compare_help"))
        page.view(Trust.view(this, seen.fingerprint), top = 16)
        val box = page.checkbox(t("app.handover.remember"), remember)
        page.button(t("app.handover.fingerprint_same"), primary = true) { same(box.isChecked) }
        page.button(t("app.handover.fingerprint_different"), danger = true) { different() }
        show(page)
    }

    private fun consentQuestionPage() {
        val page = page()
        page.title(t("app.handover.send_title"))
        check?.let { receiverLines(page, it) }
        page.heading(t("app.handover.consent_title"))
        page.body(t("app.handover.consent_missing"))
        page.body(t("app.handover.consent_question", "organisation" to consentTarget))
        page.button(t("app.handover.consent_yes"), primary = true) { agreed() }
        page.button(t("app.handover.consent_no")) { refused() }
        page.button(t("app.handover.scan_again")) {
            keyText = null
            check = null
            message = null
            toStep(Step.SCAN_KEY)
        }
        show(page)
    }

    private fun framesPage() {
        val out = sender ?: return toStep(Step.NOT_SENT)
        val page = page()
        page.title(t("app.handover.send_title"))
        receiverLines(page, out.receiver())
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

    private fun receiverOrganisation(): String = sender?.receiverOrganisation() ?: check?.organisation ?: ""

    private fun camera(): QrScanner =
        scanner ?: QrScanner(this, ::onCameraFrame).also { scanner = it }

    private fun qrWidth(): Int = resources.displayMetrics.widthPixels - dp(32)

    companion object {
        /** Frames change four times a second: what cheap cameras read reliably. */
        const val FRAME_MS = 250L

        /**
         * The start of a receiver key's text, any format version (docs/handover-format.md §2:
         * `RLK2:` now; the core refuses `RLK1:` keys as made by an older Relais), any case.
         */
        val KEY_PREFIX = Regex("^RLK[0-9]:", RegexOption.IGNORE_CASE)
    }
}
