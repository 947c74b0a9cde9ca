package org.relais.app

import android.content.Intent
import org.relais.core.CaseDetail
import org.relais.core.CaseStatus
import org.relais.core.EntryKind
import org.relais.core.EntryView
import org.relais.core.Referral
import org.relais.core.VaultException
import org.relais.core.forms
import java.text.DateFormat
import java.util.Date

/**
 * One case: its code, status and dates, whether it came from another organisation, then
 * everything recorded in it in time order — screenings and assessments (tap one to see its
 * result again), consents given, notes, handovers sent, received and acknowledged — and its
 * referrals with their status. From here the worker adds a note, continues with another form
 * (needs, risk, consent, interview), refers to a service, hands the case over by QR code, moves
 * the case to follow-up, closes or reopens it, or deletes it after confirming.
 *
 * Extra: [BaseActivity.EXTRA_CASE].
 */
class CaseDetailActivity : BaseActivity() {
    private val caseCode: String? get() = intent.getStringExtra(EXTRA_CASE)

    /** A confirmation or refusal from the last action, shown at the top. */
    private var notice: String? = null
    private var noticeIsDanger = false

    /** A note typed but not yet stored (kept when the vault refuses it). */
    private var noteDraft: String? = null
    private var rendered = false

    override fun render() {
        val page = page()
        val detail = load(page)
        if (detail != null) {
            state.currentCase = detail.code
            header(page, detail)
            entries(page, detail)
            referrals(page, detail.referrals)
            note(page, detail.code)
            formButtons(page, detail.code)
            services(page, detail.code)
            status(page, detail)
            page.divider()
            page.button(t("app.case.delete"), danger = true) { delete(detail.code) }
        }
        page.button(t("app.case.all_cases")) { toList() }
        show(page)
        rendered = true
    }

    /** Back from a form, a referral or a handover: what they added is shown. */
    override fun onResume() {
        super.onResume()
        if (rendered && !isFinishing) refresh()
    }

    /** The case, or null with a message (unknown case); a locked vault goes back to unlocking. */
    private fun load(page: Page): CaseDetail? {
        val code = caseCode
        val detail = try {
            code?.let { vault.caseDetail(it) }
        } catch (e: VaultException.Locked) {
            toUnlock()
            null
        } catch (e: VaultException.NoSuch) {
            null
        } catch (e: VaultException) {
            page.title(t("app.cases.title"))
            page.banner(t("app.error.unexpected"))
            return null
        }
        if (detail == null) {
            page.title(t("app.cases.title"))
            page.banner(t("app.case.not_found"))
        }
        return detail
    }

    private fun header(page: Page, detail: CaseDetail) {
        page.title(t("app.case.title", "code" to detail.code))
        notice?.let { page.banner(it, danger = noticeIsDanger) }
        notice = null
        page.body(t("app.case.status", "status" to statusLabel(detail.status)))
        page.muted(t("app.cases.opened", "date" to day(detail.createdAt)))
        detail.closedAt?.let { page.muted(t("app.case.closed_on", "date" to day(it))) }
        if (detail.imported) page.banner(t("app.case.imported"), danger = false)
        if (detail.damaged.isNotEmpty()) {
            page.banner(t("app.case.damaged", "count" to detail.damaged.size.toString()))
        }
    }

    // --- what is recorded ------------------------------------------------------------------------

    private fun entries(page: Page, detail: CaseDetail) {
        page.heading(t("app.case.history"))
        if (detail.entries.isEmpty()) page.muted(t("app.case.no_entries"))
        for (entry in detail.entries.sortedBy { it.createdAt }) entry(page, entry, detail.code)
    }

    private fun entry(page: Page, entry: EntryView, code: String) {
        val result = entry.result
        val time = moment(entry.createdAt)
        when {
            result != null -> page.button("$time\n" + t(
                "app.case.entry.form",
                "form" to formTitle(entry.formId),
                "outcome" to result.outcomeLabel,
            )) {
                state.currentCase = code
                state.lastResult = result
                go(ResultActivity::class.java) { putExtra(EXTRA_CASE, code) }
            }
            entry.kind == EntryKind.NOTE -> {
                page.muted("$time · " + t("app.case.entry.note"))
                page.body(entry.note.orEmpty())
            }
            entry.kind == EntryKind.CONSENT -> {
                page.muted(time)
                page.body(consentText(entry))
            }
            entry.kind == EntryKind.CUSTODY -> {
                page.muted(time)
                page.body(custodyText(entry))
            }
            else -> page.muted("$time · " + formTitle(entry.formId))
        }
    }

    private fun consentText(entry: EntryView): String = t(
        "app.case.entry.consent",
        "purposes" to entry.consentPurposes.joinToString(", ") { t("consent.purpose.$it") },
        "scope" to entry.consentScope.orEmpty(),
    )

    private fun custodyText(entry: EntryView): String {
        val event = entry.custodyEvent ?: "sent"
        return t("app.case.entry.$event", "organisation" to entry.organisation.orEmpty())
    }

    private fun referrals(page: Page, referrals: List<Referral>) {
        if (referrals.isEmpty()) return
        page.heading(t("app.case.referrals"))
        for (referral in referrals.sortedBy { it.createdAt }) {
            page.body(t(
                "app.case.referral",
                "organisation" to referral.organisation,
                "service" to referral.service,
                "status" to t("app.referral.status.${referral.status.name.lowercase()}"),
            ))
        }
    }

    // --- actions ---------------------------------------------------------------------------------

    private fun note(page: Page, code: String) {
        page.heading(t("app.case.entry.note"))
        val field = page.field(t("app.case.note_hint"), Field.NOTE, noteDraft)
        page.button(t("app.case.add_note"), primary = true) {
            val text = field.text.toString()
            noteDraft = text
            if (text.isBlank()) {
                say(t("app.case.note_empty"), danger = true)
                return@button
            }
            val added = act(onInvalid = t("app.case.note_too_long")) { vault.addNote(code, text) }
            if (added != null) {
                noteDraft = null
                say(t("app.case.note_added"))
            }
        }
    }

    private fun formButtons(page: Page, code: String) {
        page.heading(t("app.case.forms"))
        val titles = forms(state.language).associate { it.id to it.title }
        for (form in FOLLOW_ON_FORMS) {
            page.button(titles[form] ?: form) {
                state.currentCase = code
                state.lastResult = null
                go(FormActivity::class.java) {
                    putExtra(EXTRA_CASE, code)
                    putExtra(EXTRA_FORM, form)
                }
            }
        }
    }

    private fun services(page: Page, code: String) {
        page.heading(t("app.case.actions"))
        page.button(t("app.case.refer"), primary = true) {
            go(ReferralActivity::class.java) { putExtra(EXTRA_CASE, code) }
        }
        page.button(t("app.case.handover")) {
            go(HandoverSendActivity::class.java) { putExtra(EXTRA_CASE, code) }
        }
    }

    /** The moves that make sense from the current status. */
    private fun status(page: Page, detail: CaseDetail) {
        page.heading(t("app.case.status_heading"))
        val closed = detail.status == CaseStatus.CLOSED || detail.status == CaseStatus.CLOSED_REFERRED
        val moves = if (closed) {
            listOf(CaseStatus.ACTIVE to t("app.case.reopen"))
        } else {
            CaseStatus.entries.filter { it != detail.status }.map { target ->
                target to t("app.case.set.${target.name.lowercase()}")
            }
        }
        for ((target, label) in moves) {
            page.button(label) {
                if (act { vault.setCaseStatus(detail.code, target) } != null) {
                    say(t("app.case.status_changed", "status" to statusLabel(target)))
                }
            }
        }
    }

    private fun delete(code: String) {
        confirm(t("app.case.delete_confirm", "code" to code), t("app.case.delete")) {
            if (act { vault.deleteCase(code) } != null) {
                state.currentCase = null
                state.lastResult = null
                toList()
            }
        }
    }

    /**
     * Runs one vault call: a locked vault goes back to unlocking, an unknown case or a refused
     * text says so; null when it failed.
     */
    private fun <T> act(onInvalid: String = t("app.error.unexpected"), call: () -> T): T? =
        vaultCall(onInvalid, { say(it, danger = true) }, call)

    private fun say(text: String, danger: Boolean = false) {
        notice = text
        noticeIsDanger = danger
        refresh()
    }

    private fun toList() {
        startActivity(
            Intent(this, CaseListActivity::class.java)
                .addFlags(Intent.FLAG_ACTIVITY_CLEAR_TOP or Intent.FLAG_ACTIVITY_SINGLE_TOP),
        )
        finish()
    }

    private fun formTitle(id: String?): String =
        forms(state.language).firstOrNull { it.id == id }?.title ?: id.orEmpty()

    private fun statusLabel(status: CaseStatus): String = t("app.cases.status.${status.name.lowercase()}")

    private fun day(seconds: Long): String =
        DateFormat.getDateInstance(DateFormat.MEDIUM).format(Date(seconds * 1000))

    private fun moment(seconds: Long): String =
        DateFormat.getDateTimeInstance(DateFormat.MEDIUM, DateFormat.SHORT).format(Date(seconds * 1000))

    companion object {
        /** The forms that continue a case after its screening. */
        val FOLLOW_ON_FORMS = listOf("needs", "risk", "consent", "interview")
    }
}
