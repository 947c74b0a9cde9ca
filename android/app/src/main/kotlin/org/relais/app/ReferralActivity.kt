package org.relais.app

import android.widget.CheckBox
import android.widget.EditText
import org.relais.core.Priority
import org.relais.core.Proposal
import org.relais.core.Referral
import org.relais.core.ReferralStatus
import org.relais.core.ServiceDirectory
import org.relais.core.ServiceMatch
import org.relais.core.ServiceProposals
import org.relais.core.ServiceView
import org.relais.core.VaultException
import org.relais.core.sampleDirectory
import java.text.DateFormat
import java.util.Date

/**
 * Referring a case to a service. The core proposes services from the directory for what the
 * case's forms found, most urgent first, each with why it is proposed; categories with no service
 * are listed as gaps to raise with the NRM coordinator. The directory shipped today is the
 * fictitious Kwilu sample, and the screen says so in a yellow banner. Choosing a service shows its
 * details, a reason, the priority and the person's consent to this referral now — or, only for a
 * threat to life, the reason to refer without it; without either the core refuses and nothing is
 * stored. The case's referrals follow, with their status, dates and the next steps (sent,
 * accepted, refused with its reason, completed).
 *
 * Extra: [BaseActivity.EXTRA_CASE].
 */
class ReferralActivity : BaseActivity() {
    private val caseCode: String? get() = intent.getStringExtra(EXTRA_CASE)

    private var directory: ServiceDirectory? = null
    private var proposals: ServiceProposals? = null

    /** The service being confirmed, and the proposal it came from. */
    private var chosen: ServiceMatch? = null
    private var priority: Priority = Priority.NORMAL
    private var reason = ""
    private var overrideReason = ""
    private var consentNow = false

    /** Typed rejection reasons, by referral id. */
    private val rejections = mutableMapOf<String, String>()

    private var notice: String? = null
    private var noticeIsDanger = false

    /** The fields on screen, read back before the screen is rebuilt. */
    private var reasonField: EditText? = null
    private var overrideField: EditText? = null
    private var consentBox: CheckBox? = null
    private val rejectionFields = mutableMapOf<String, EditText>()

    override fun render() {
        reasonField = null
        overrideField = null
        consentBox = null
        rejectionFields.clear()
        val page = page()
        val code = caseCode
        if (code == null) {
            unavailable(page, t("app.case.not_found"))
            return
        }
        val found = load(code)
        if (found == null) {
            if (!isFinishing) unavailable(page, loadError ?: t("app.error.unexpected"))
            return
        }
        page.title(t("app.referral.title", "code" to code))
        if (found.fictitious) page.banner(t("app.referral.demo"), danger = false)
        notice?.let { page.banner(it, danger = noticeIsDanger) }
        notice = null
        val match = chosen
        if (match == null) proposed(page, found) else confirmation(page, code, match)
        existing(page, code)
        page.divider()
        page.button(t("app.referral.open_case")) {
            go(CaseDetailActivity::class.java) { putExtra(EXTRA_CASE, code) }
            finish()
        }
        show(page)
    }

    override fun onDestroy() {
        directory?.close()
        directory = null
        super.onDestroy()
    }

    // --- loading ---------------------------------------------------------------------------------

    private var loadError: String? = null

    /** The proposals for this case (computed once per visit); null when they cannot be had. */
    private fun load(code: String): ServiceProposals? {
        proposals?.let { return it }
        return try {
            // The signed directory imported on this phone; the fictitious sample before any.
            val dir = directory ?: (vault.serviceDirectory() ?: sampleDirectory()).also { directory = it }
            vault.proposeServices(code, dir, null, state.language).also { proposals = it }
        } catch (e: VaultException.Locked) {
            toUnlock()
            null
        } catch (e: VaultException.NoSuch) {
            loadError = t("app.case.not_found")
            null
        } catch (e: VaultException) {
            loadError = t("app.error.unexpected")
            null
        }
    }

    private fun unavailable(page: Page, message: String) {
        page.title(t("app.case.refer"))
        page.banner(message)
        page.button(t("app.case.all_cases")) {
            go(CaseListActivity::class.java)
            finish()
        }
        show(page)
    }

    // --- proposals -------------------------------------------------------------------------------

    private fun proposed(page: Page, found: ServiceProposals) {
        if (found.explanation.isNotBlank()) page.body(found.explanation)
        if (found.proposals.isNotEmpty()) page.heading(t("app.referral.proposed"))
        for (proposal in found.proposals.sortedBy { it.priority.ordinal }) proposal(page, proposal)
        if (found.unmet.isNotEmpty()) {
            val gaps = found.unmet.joinToString("") { "\n• " + t("service.$it") }
            page.banner(t("app.referral.unmet") + gaps)
        }
    }

    private fun proposal(page: Page, proposal: Proposal) {
        page.heading(t(
            "app.referral.category",
            "category" to proposal.categoryLabel,
            "priority" to proposal.priorityLabel,
        ))
        if (proposal.because.isNotEmpty()) {
            page.muted(t("app.referral.because", "reasons" to proposal.because.joinToString(", ") { because(it) }))
        }
        if (proposal.services.isEmpty()) page.muted(t("app.referral.no_service"))
        for (match in proposal.services) {
            val lines = listOf(serviceName(match.service), match.service.area) + match.reasons
            page.button(lines.filter { it.isNotBlank() }.joinToString("\n")) { choose(match, proposal) }
        }
    }

    /** A need (`medical`), a red flag (`flag:injury`) or `child`, in words. */
    private fun because(id: String): String = when {
        id == "child" -> t("app.referral.because_child")
        id.startsWith("flag:") -> t("flag." + id.removePrefix("flag:"))
        else -> t("need.$id")
    }

    private fun choose(match: ServiceMatch, proposal: Proposal) {
        chosen = match
        priority = proposal.priority
        reason = ""
        overrideReason = ""
        consentNow = false
        notice = null
        render()
    }

    // --- confirming one referral -----------------------------------------------------------------

    private fun confirmation(page: Page, code: String, match: ServiceMatch) {
        val service = match.service
        page.heading(t("app.referral.confirm"))
        page.body(serviceName(service)).setTypeface(null, android.graphics.Typeface.BOLD)
        details(service).forEach { page.muted(it) }
        match.reasons.forEach { page.muted("• $it") }

        reasonField = page.field(t("app.referral.reason_hint"), Field.NOTE, reason)
        page.heading(t("app.referral.priority"))
        for (level in Priority.entries) {
            val label = priorityLabel(level).replaceFirstChar { it.titlecase(java.util.Locale.getDefault()) }
            val current = level == priority
            page.button(if (current) "✓ $label" else label, primary = current) {
                remember()
                priority = level
                render()
            }
        }
        consentBox = page.checkbox(t("app.referral.consent_now"), consentNow)
        page.muted(t("app.referral.override_help"))
        overrideField = page.field(t("app.referral.override_hint"), Field.NOTE, overrideReason)
        page.button(t("app.referral.refer"), primary = true) {
            remember()
            refer(code, service)
        }
        page.button(t("app.cancel")) {
            chosen = null
            notice = null
            render()
        }
    }

    /** The service's particulars, each on its own line, empty ones left out. */
    private fun details(service: ServiceView): List<String> = listOfNotNull(
        service.area.takeIf { it.isNotBlank() }?.let { t("app.referral.area", "area" to it) },
        service.address.takeIf { it.isNotBlank() }?.let { t("app.referral.address", "address" to it) },
        service.phone.takeIf { it.isNotBlank() }?.let { t("app.referral.phone", "phone" to it) },
        service.email.takeIf { it.isNotBlank() }?.let { t("app.referral.email", "email" to it) },
        service.hours.takeIf { it.isNotBlank() }?.let { t("app.referral.hours", "hours" to it) },
        service.languages.takeIf { it.isNotEmpty() }
            ?.let { t("app.referral.languages", "languages" to it.joinToString(", ")) },
        t("app.referral.takes_children").takeIf { service.takesChildren },
        service.notes.takeIf { it.isNotBlank() },
    )

    private fun remember() {
        reasonField?.let { reason = it.text.toString() }
        overrideField?.let { overrideReason = it.text.toString() }
        consentBox?.let { consentNow = it.isChecked }
        rejectionFields.forEach { (id, field) -> rejections[id] = field.text.toString() }
    }

    private fun refer(code: String, service: ServiceView) {
        if (reason.isBlank()) {
            say(t("app.referral.reason_missing"), danger = true)
            return
        }
        val override = overrideReason.trim().takeIf { it.isNotEmpty() && !consentNow }
        val done = act(onInvalid = t("app.referral.text_invalid")) {
            vault.refer(code, service, priority, reason.trim(), consentNow, override)
        }
        if (done != null) {
            chosen = null
            reason = ""
            overrideReason = ""
            consentNow = false
            say(t("app.referral.recorded"))
        }
    }

    // --- the case's referrals --------------------------------------------------------------------

    private fun existing(page: Page, code: String) {
        page.heading(t("app.referral.existing"))
        // Read while the screen is built: a failure is shown in place, not by rebuilding it.
        val mine = try {
            vault.referrals().filter { it.caseCode == code }
        } catch (e: VaultException) {
            page.banner(t("app.error.unexpected"))
            return
        }
        if (mine.isEmpty()) page.muted(t("app.referral.none"))
        for (referral in mine.sortedBy { it.createdAt }) referral(page, referral)
    }

    private fun referral(page: Page, referral: Referral) {
        page.divider()
        page.body(t("app.referral.service", "organisation" to referral.organisation, "service" to referral.service))
            .setTypeface(null, android.graphics.Typeface.BOLD)
        page.body(t(
            "app.referral.status_line",
            "status" to statusLabel(referral.status),
            "priority" to priorityLabel(referral.priority),
        ))
        page.muted(t("app.referral.dates", "created" to moment(referral.createdAt), "updated" to moment(referral.updatedAt)))
        page.muted(referral.reason)
        val override = referral.overrideReason
        page.muted(if (override != null) t("app.referral.override", "reason" to override) else t("app.referral.with_consent"))
        referral.rejectionReason?.let { page.muted(t("app.referral.rejected_because", "reason" to it)) }
        for (next in referral.nextStatuses) {
            if (next == ReferralStatus.REJECTED) {
                rejectionFields[referral.id] = page.field(t("app.referral.rejection_hint"), Field.NOTE, rejections[referral.id])
            }
            page.button(t("app.referral.to.${next.name.lowercase()}")) {
                remember()
                move(referral, next)
            }
        }
    }

    private fun move(referral: Referral, next: ReferralStatus) {
        val why = rejections[referral.id]?.trim()?.takeIf { it.isNotEmpty() }
        if (next == ReferralStatus.REJECTED && why == null) {
            say(t("app.referral.rejection_missing"), danger = true)
            return
        }
        val reasonGiven = if (next == ReferralStatus.REJECTED) why else null
        if (act(onInvalid = t("app.referral.status_invalid")) { vault.setReferralStatus(referral.id, next, reasonGiven) } != null) {
            rejections.remove(referral.id)
            say(t("app.case.status_changed", "status" to statusLabel(next)))
        }
    }

    // --- helpers ---------------------------------------------------------------------------------

    /**
     * One vault call: a locked vault goes back to unlocking; a refusal is said in red (consent
     * missing, a text refused, an unknown case); null when it failed.
     */
    private fun <T> act(onInvalid: String = t("app.error.unexpected"), call: () -> T): T? =
        vaultCall(onInvalid, { say(it, danger = true) }, call)

    private fun say(text: String, danger: Boolean = false) {
        notice = text
        noticeIsDanger = danger
        if (!isFinishing) refresh()
    }

    private fun serviceName(service: ServiceView): String =
        t("app.referral.service", "organisation" to service.organisation, "service" to service.service)

    private fun statusLabel(status: ReferralStatus): String = t("app.referral.status.${status.name.lowercase()}")

    private fun priorityLabel(priority: Priority): String = t("priority.${priority.name.lowercase()}")

    private fun moment(seconds: Long): String =
        DateFormat.getDateTimeInstance(DateFormat.MEDIUM, DateFormat.SHORT).format(Date(seconds * 1000))
}
