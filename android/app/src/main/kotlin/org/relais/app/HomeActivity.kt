package org.relais.app

import org.relais.core.forms
import java.text.DateFormat
import java.util.Date

/**
 * Home: a form left unfinished when the phone locked comes first (continue or discard it), then
 * the field jobs (quick check, interview), cases, receiving, the NRM directory, settings and the lock.
 */
class HomeActivity : BaseActivity() {
    override fun render() {
        val page = page()
        page.title(t("app.name"))
        runCatching { vault.organisation() }.getOrNull()?.takeIf { it.isNotBlank() }?.let { page.muted(it) }
        pendingDraft(page)
        page.button(t("app.home.quick_check"), primary = true) { startForm("quick-check") }
        page.button(t("app.home.interview"), primary = true) { startForm("interview") }
        page.button(t("app.home.cases")) { go(CaseListActivity::class.java) }
        page.button(t("app.home.receive")) { go(HandoverReceiveActivity::class.java) }
        page.button(t("app.home.directory")) { go(DirectoryActivity::class.java) }
        page.button(t("app.home.settings")) { go(SettingsActivity::class.java) }
        page.button(t("app.home.lock"), danger = true) {
            state.lock()
            toUnlock()
        }
        show(page)
    }

    /** The form saved when the vault locked mid-interview: continue it or discard it. */
    private fun pendingDraft(page: Page) {
        val pending = runCatching { vault.pendingDraft() }.getOrNull() ?: return
        val title = forms(state.language).firstOrNull { it.id == pending.formId }?.title ?: pending.formId
        val date = DateFormat.getDateTimeInstance(DateFormat.MEDIUM, DateFormat.SHORT)
            .format(Date(pending.savedAt * 1000))
        page.banner(t("app.home.pending", "form" to title, "date" to date), danger = false)
        page.button(t("app.home.continue"), primary = true) {
            state.currentCase = pending.caseCode
            go(FormActivity::class.java) {
                putExtra(EXTRA_FORM, pending.formId)
                putExtra(EXTRA_RESUME, true)
                pending.caseCode?.let { putExtra(EXTRA_CASE, it) }
            }
        }
        page.button(t("app.home.discard")) {
            confirm(t("app.home.discard_confirm"), t("app.home.discard")) {
                vault.discardPendingDraft()
                render()
            }
        }
    }

    private fun startForm(form: String) {
        state.currentCase = null
        go(FormActivity::class.java) { putExtra(EXTRA_FORM, form) }
    }
}
