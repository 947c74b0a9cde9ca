package org.relais.app

import android.content.Intent
import org.relais.core.FormResultView
import org.relais.core.Labelled
import org.relais.core.ResultKind
import org.relais.core.VaultException
import org.relais.core.forms

/**
 * The result of a form, explained, and what to do next: the outcome in large type (a red banner
 * with the red flags first when the person must be helped now), why, what was found (ILO
 * dimensions and indicators, needs by priority, risks, consent given), the numbered next steps,
 * then the ways on for this case — needs, risk and consent forms, referral, the case file, home.
 * Every word of the result comes from the core, in the language the form was filled in.
 *
 * Extra: [BaseActivity.EXTRA_CASE]. Shows the result just computed, or else the case's latest.
 */
class ResultActivity : BaseActivity() {
    private val caseCode: String? get() = intent.getStringExtra(EXTRA_CASE) ?: state.currentCase

    override fun render() {
        val page = page()
        val code = caseCode
        val result = try {
            result(code)
        } catch (e: VaultException.Locked) {
            toUnlock()
            return
        } catch (e: VaultException) {
            null
        }
        if (result == null) {
            page.title(t("app.result.title"))
            page.body(t("app.result.none"))
        } else {
            outcome(page, result)
            findings(page, result)
            nextSteps(page, result)
        }
        code?.let { page.muted(t("app.result.case", "code" to it)) }
        actions(page, code)
        show(page)
    }

    /** The result just computed for this case, or the latest one saved in it. */
    private fun result(code: String?): FormResultView? {
        state.lastResult?.let { if (code == null || state.currentCase == code) return it }
        if (code == null) return null
        return vault.caseDetail(code).entries.lastOrNull { it.result != null }?.result
    }

    private fun outcome(page: Page, result: FormResultView) {
        // What the result rests on comes first when questions that could change it have no answer:
        // an unfinished check never reads as a clean "no flags".
        result.completeness?.takeIf { !it.clean }?.let { c ->
            page.banner(c.summary, danger = false)
            if (c.open.isNotEmpty()) {
                page.muted(t("app.result.open_questions"))
                FormViews.bullets(page, c.open.take(5).map { it.label })
            }
        }
        if (result.urgent) {
            val flags = result.redFlags.joinToString("") { "\n• ${it.label}" }
            val header = if (result.redFlags.isEmpty()) "" else "\n" + t("app.result.red_flags")
            page.banner(t("app.result.urgent") + header + flags)
        }
        page.title(result.outcomeLabel)
        if (result.explanation.isNotBlank()) {
            page.heading(t("app.result.why"))
            page.body(result.explanation)
        }
    }

    /** What the form found, by kind: the Protocol's reading and the triage, dimensions and
     *  indicators, needs, risks, consent. */
    private fun findings(page: Page, result: FormResultView) {
        result.protocolReading?.takeIf { it.lines.isNotEmpty() }?.let { p ->
            page.heading(t("app.result.protocol"))
            FormViews.bullets(page, p.lines)
        }
        if (result.triage.isNotEmpty()) {
            page.heading(t("app.result.triage"))
            for (item in result.triage) {
                page.body(item.label).setTypeface(null, android.graphics.Typeface.BOLD)
                page.body(item.explanation)
            }
        }
        val found = result.dimensions.filter { it.indicators.isNotEmpty() }
        if (found.isNotEmpty()) {
            page.heading(t("app.result.dimensions"))
            for (dimension in found) {
                page.body(if (dimension.positive) t("app.result.dimension_met", "dimension" to dimension.title) else dimension.title)
                    .setTypeface(null, android.graphics.Typeface.BOLD)
                FormViews.bullets(page, dimension.indicators.map { it.title })
            }
        }
        if (result.indicators.isNotEmpty()) {
            page.heading(t("app.result.indicators"))
            FormViews.bullets(page, result.indicators.map { it.title })
        }
        if (result.kind == ResultKind.NEEDS && result.needs.isNotEmpty()) {
            page.heading(t("app.result.needs"))
            FormViews.bullets(page, result.needs.map { level(it.label, it.priorityLabel) })
        }
        if (result.kind == ResultKind.RISK && result.risks.isNotEmpty()) {
            page.heading(t("app.result.risks"))
            FormViews.bullets(page, result.risks.map { level(it.targetLabel, it.levelLabel) })
        }
        result.consent?.let { consent ->
            page.heading(t("app.result.consent"))
            consentGroup(page, "app.result.consent.informed", consent.informed)
            consentGroup(page, "app.result.consent.not_informed", consent.notInformed)
            consentGroup(page, "app.result.consent.agreed", consent.agreed)
            consentGroup(page, "app.result.consent.declined", consent.declined)
            consentGroup(page, "app.result.consent.authorised", consent.authorised)
        }
    }

    private fun level(label: String, level: String) = t("app.result.level", "label" to label, "level" to level)

    private fun consentGroup(page: Page, key: String, items: List<Labelled>) {
        if (items.isEmpty()) return
        page.muted(t(key))
        FormViews.bullets(page, items.map { it.label })
    }

    private fun nextSteps(page: Page, result: FormResultView) {
        if (result.nextSteps.isEmpty()) return
        page.heading(t("app.result.next_steps"))
        result.nextSteps.forEachIndexed { i, step -> page.body("${i + 1}. ${step.label}") }
    }

    /** The ways on: the other forms for this case, referral, the case file, home. */
    private fun actions(page: Page, code: String?) {
        page.divider()
        if (code != null) {
            page.heading(t("app.result.more"))
            val titles = forms(state.language).associate { it.id to it.title }
            for (form in FOLLOW_UPS) {
                page.button(titles[form] ?: form) {
                    go(FormActivity::class.java) {
                        putExtra(EXTRA_CASE, code)
                        putExtra(EXTRA_FORM, form)
                    }
                }
            }
            page.button(t("app.result.refer"), primary = true) {
                go(ReferralActivity::class.java) { putExtra(EXTRA_CASE, code) }
            }
            page.button(t("app.result.open_case")) {
                go(CaseDetailActivity::class.java) { putExtra(EXTRA_CASE, code) }
            }
        }
        page.button(t("app.result.home")) {
            go(HomeActivity::class.java) { addFlags(Intent.FLAG_ACTIVITY_CLEAR_TOP) }
            finish()
        }
    }

    companion object {
        val FOLLOW_UPS = listOf(FormActivity.NEEDS, FormActivity.RISK, FormActivity.CONSENT)
    }
}
