package org.relais.app

import android.os.Bundle
import android.widget.CheckBox
import org.relais.core.AnswerType
import org.relais.core.FormResultView
import org.relais.core.Interview
import org.relais.core.InterviewException
import org.relais.core.Language
import org.relais.core.QuestionView
import org.relais.core.Screen
import org.relais.core.ScreenKind
import org.relais.core.VaultException
import org.relais.core.forms

/**
 * One form being filled in with the person — quick check, full interview, needs, risk or consent.
 * One question at a time, as the core words it: large buttons for yes/no and choices, check boxes
 * for "all that apply", a field for numbers, dates and short texts, "don't know" and "prefers not
 * to say" always offered, refusals in red with the question kept. The person's language can be
 * switched at any moment (answers are kept). The review lists what is still missing; finishing
 * saves the form into its case (a new one for a first screening) and shows the result.
 *
 * Extras: [BaseActivity.EXTRA_FORM] (form id), optional [BaseActivity.EXTRA_CASE] (the case it
 * belongs to), optional [BaseActivity.EXTRA_RESUME] (continue the form kept in the vault).
 */
class FormActivity : BaseActivity() {
    private var interview: Interview? = null
    private var screen: Screen? = null

    /** A message of the app's own (not the core's refusals, which come in [Screen.errors]). */
    private var notice: String? = null

    /** Recreated by the system (rotation): the answers were kept in the vault, take them up. */
    private var restoring = false

    /** The answers were put in the vault's care as the form in progress. */
    private var draftSaved = false

    private var done = false

    private val formId: String get() = intent.getStringExtra(EXTRA_FORM) ?: QUICK_CHECK
    private val caseCode: String? get() = intent.getStringExtra(EXTRA_CASE)

    override fun onCreate(savedInstanceState: Bundle?) {
        restoring = savedInstanceState?.getBoolean(KEY_RESTORE, false) == true
        super.onCreate(savedInstanceState)
    }

    override fun render() {
        val current = screen ?: start()?.also { screen = it }
        if (current == null) {
            unavailable()
            return
        }
        if (current.kind == ScreenKind.REVIEW) reviewPage(current) else questionPage(current)
    }

    // --- starting ---------------------------------------------------------------------------

    /** The session: taken up from the vault, or new in the worker's language (if the form has it). */
    private fun start(): Screen? {
        val session = resumed() ?: fresh() ?: return null
        interview = session
        return session.screen()
    }

    private fun resumed(): Interview? {
        if (!intent.getBooleanExtra(EXTRA_RESUME, false) && !restoring) return null
        val pending = try {
            vault.pendingDraft()
        } catch (e: VaultException) {
            null
        } ?: return null
        if (pending.formId != formId) return null
        return try {
            Interview.resume(pending.draftJson).also { draftSaved = true }
        } catch (e: InterviewException) {
            null
        }
    }

    private fun fresh(): Interview? {
        val offered = offeredLanguages()
        val language = if (offered.isEmpty() || state.language in offered) state.language else offered.first()
        // A form started in a case takes what the case says of the person (a child, their age).
        val code = caseCode
        return try {
            if (code != null) vault.startForm(code, formId, language) else Interview(formId, language, null)
        } catch (e: InterviewException) {
            null
        } catch (e: VaultException) {
            null
        }
    }

    /** The languages this form is written in. */
    private fun offeredLanguages(): List<Language> =
        forms(state.language).firstOrNull { it.id == formId }?.languages ?: emptyList()

    private fun unavailable() {
        val page = page()
        page.title(t("app.result.title"))
        page.banner(t("app.form.unavailable"))
        page.button(t("app.result.home"), primary = true) { finish() }
        show(page)
    }

    // --- the question -----------------------------------------------------------------------

    private fun questionPage(screen: Screen) {
        val q = screen.question ?: return reviewPage(screen)
        val page = page()
        header(page, screen)
        screen.section?.let { section ->
            page.heading(section.title)
            if (section.startsHere) section.intro?.let { page.muted(it) }
        }
        page.muted(FormViews.progressText(screen.labels.progress, screen.progress))
        FormViews.progressBar(page, this, screen.progress.percent)
        for (error in screen.errors) page.banner(error)
        notice?.let { page.banner(it) }

        page.heading(q.prompt)
        if (q.required) page.muted(screen.labels.required)
        q.help?.let { page.muted(it) }
        answerArea(page, screen, q)
        for (option in q.specialOptions) {
            page.button(FormViews.optionLabel(option)) { act { choose(listOf(option.id)) } }
        }
        page.divider()
        navigation(page, screen, q)
        show(page)
    }

    /** The title and the row of languages the form offers. */
    private fun header(page: Page, screen: Screen) {
        page.title(screen.formTitle)
        FormViews.languageRow(page, this, offeredLanguages(), screen.language) { language ->
            act { setLanguage(language) }
        }
    }

    private fun answerArea(page: Page, screen: Screen, q: QuestionView) {
        when (q.answerType) {
            AnswerType.YES_NO, AnswerType.SINGLE -> for (option in q.options) {
                page.button(FormViews.optionLabel(option), primary = true) { act { choose(listOf(option.id)) } }
            }
            AnswerType.MULTI -> {
                val boxes = q.options.map { option -> option.id to page.checkbox(option.label, option.selected) }
                page.button(screen.labels.next, primary = true) {
                    act { choose(boxes.filter { it.second.isChecked }.map { it.first }) }
                }
            }
            AnswerType.NUMBER, AnswerType.DATE, AnswerType.TEXT -> {
                q.number?.unit?.let { page.muted(it) }
                val field = page.field(q.hint ?: "", FormViews.fieldKind(q.answerType), q.currentText)
                page.button(screen.labels.next, primary = true) { act { answerText(field.text.toString()) } }
            }
        }
    }

    /** Next (choices already answered), skip, back, review, quit: what the screen allows. */
    private fun navigation(page: Page, screen: Screen, q: QuestionView) {
        val choice = q.answerType == AnswerType.YES_NO || q.answerType == AnswerType.SINGLE
        if (choice && screen.canNext) page.button(screen.labels.next) { act { next() } }
        if (screen.canSkip) page.button(screen.labels.skip) { act { skip() } }
        if (screen.canBack) page.button(screen.labels.back) { act { back() } }
        page.button(screen.labels.review) { act { review() } }
        page.button(screen.labels.quit) { leave() }
    }

    // --- the review -------------------------------------------------------------------------

    private fun reviewPage(screen: Screen) {
        val page = page()
        header(page, screen)
        val review = screen.review
        if (review != null) {
            page.heading(review.title)
            notice?.let { page.banner(it) }
            for (error in screen.errors) page.banner(error)
            page.body(review.message)
            page.muted(t("app.form.count.answered", "count" to review.answered.toString()))
            page.muted(t("app.form.count.dont_know", "count" to review.dontKnow.toString()))
            page.muted(t("app.form.count.prefer_not", "count" to review.preferNotToSay.toString()))
            page.muted(t("app.form.count.unanswered", "count" to review.unanswered.toString()))
            if (review.unansweredRequired.isNotEmpty()) {
                page.heading(t("app.form.missing"))
                for (missing in review.unansweredRequired) {
                    page.button(missing.prompt) { act { goTo(missing.id) } }
                }
            }
        }
        page.divider()
        if (screen.canFinish) page.button(screen.labels.finish, primary = true) { complete() }
        if (screen.canBack) page.button(screen.labels.back) { act { back() } }
        page.button(screen.labels.quit) { leave() }
        show(page)
    }

    // --- actions ----------------------------------------------------------------------------

    /** One user action: one call to the core, which returns the whole next screen. */
    private fun act(step: Interview.() -> Screen) {
        val session = interview ?: return
        notice = null
        screen = try {
            session.step()
        } catch (e: InterviewException) {
            notice = t("app.error.unexpected")
            screen
        }
        render()
    }

    /** Finish: the result, saved into the case (a new one if none), then the result screen. */
    private fun complete() {
        val session = interview ?: return
        val result = try {
            session.finish()
        } catch (e: InterviewException.Incomplete) {
            incomplete(session)
            return
        } catch (e: InterviewException) {
            notice = t("app.error.unexpected")
            render()
            return
        }
        val code = try {
            save(session)
        } catch (e: VaultException.Locked) {
            toUnlock()
            return
        } catch (e: VaultException.Invalid) {
            incomplete(session)
            return
        } catch (e: VaultException) {
            notice = t("app.form.save_failed")
            render()
            return
        }
        opened(code, result)
    }

    private fun incomplete(session: Interview) {
        notice = t("app.form.incomplete")
        screen = session.review()
        render()
    }

    /** Saves into the case given, or a new case (removed again if the saving fails). */
    private fun save(session: Interview): String {
        val existing = caseCode
        val code = existing ?: vault.createCase()
        try {
            vault.saveResult(code, session)
        } catch (e: VaultException) {
            if (existing == null) runCatching { vault.deleteCase(code) }
            throw e
        }
        if (draftSaved) runCatching { vault.discardPendingDraft() }
        return code
    }

    private fun opened(code: String, result: FormResultView) {
        done = true
        state.currentCase = code
        state.lastResult = result
        go(ResultActivity::class.java) { putExtra(EXTRA_CASE, code) }
        finish()
    }

    // --- leaving ----------------------------------------------------------------------------

    /** Quit: with answers given, only after confirming they will be lost. */
    private fun leave() {
        if ((screen?.progress?.answered ?: 0u) == 0u && !draftSaved) {
            finish()
            return
        }
        confirm(t("app.form.quit_confirm"), t("app.form.quit")) {
            done = true
            if (draftSaved) runCatching { vault.discardPendingDraft() }
            finish()
        }
    }

    /** System back: the previous question, or leaving from the first one. */
    @Deprecated("Deprecated in Java")
    override fun onBackPressed() {
        if (screen?.canBack == true) act { back() } else leave()
    }

    /** The form in progress goes into the vault before the timeout locks it. */
    override fun beforeLock() = keepDraft()

    /** Leaving the app (the vault locks right after) or being recreated: keep the answers. */
    override fun onStop() {
        if (!isFinishing) keepDraft()
        super.onStop()
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        keepDraft()
        // Only a flag: the answers themselves stay in the vault, never in the bundle.
        if (draftSaved) outState.putBoolean(KEY_RESTORE, true)
    }

    private fun keepDraft() {
        val session = interview ?: return
        if (done || !state.isUnlocked) return
        if ((screen?.progress?.answered ?: 0u) == 0u && !draftSaved) return
        try {
            vault.savePendingDraft(session, caseCode)
            draftSaved = true
        } catch (e: VaultException) {
            // The vault is locking: nothing more can be kept.
        }
    }

    override fun onDestroy() {
        interview?.close()
        interview = null
        super.onDestroy()
    }

    companion object {
        const val QUICK_CHECK = "quick-check"
        const val INTERVIEW = "interview"
        const val NEEDS = "needs"
        const val RISK = "risk"
        const val CONSENT = "consent"
        private const val KEY_RESTORE = "org.relais.app.FORM_RESTORE"
    }
}
