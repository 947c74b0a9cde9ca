package org.relais.app

import org.relais.core.CaseStatus
import org.relais.core.CaseSummary
import org.relais.core.VaultException
import java.text.DateFormat
import java.util.Date

/**
 * The cases on this phone: each one a large button with its pseudonymous code, its status, the
 * day it was opened, how many entries and referrals it holds and the outcome of its latest
 * screening. Tapping a case opens it. A damaged record (altered or moved) is marked and cannot be
 * opened. With no case yet, the screen says so and offers to start a quick check or an interview.
 */
class CaseListActivity : BaseActivity() {
    private var rendered = false

    override fun render() {
        val page = page()
        page.title(t("app.cases.title"))
        val cases = try {
            vault.listCases()
        } catch (e: VaultException.Locked) {
            toUnlock()
            return
        } catch (e: VaultException) {
            page.banner(t("app.cases.error"))
            null
        }
        when {
            cases == null -> Unit
            cases.isEmpty() -> empty(page)
            else -> {
                page.muted(t("app.cases.intro"))
                cases.sortedByDescending { it.createdAt }.forEach { item(page, it) }
            }
        }
        show(page)
        rendered = true
    }

    /** Back from a case (a note, a new status, a deletion): the list shows what changed. */
    override fun onResume() {
        super.onResume()
        if (rendered && !isFinishing) refresh()
    }

    private fun empty(page: Page) {
        page.body(t("app.cases.empty"))
        page.button(t("app.home.quick_check"), primary = true) { startForm(QUICK_CHECK) }
        page.button(t("app.home.interview"), primary = true) { startForm(INTERVIEW) }
    }

    private fun item(page: Page, case: CaseSummary) {
        val code = case.code
        if (case.damaged || code == null) {
            page.banner(listOfNotNull(code, t("app.cases.damaged")).joinToString("\n"))
            return
        }
        page.button(summary(case, code)) {
            go(CaseDetailActivity::class.java) { putExtra(EXTRA_CASE, code) }
        }
    }

    /** The lines of one case's button: code, status and date, outcome, counts. */
    private fun summary(case: CaseSummary, code: String): String = listOf(
        code,
        statusLabel(case.status) + " · " + t("app.cases.opened", "date" to dateOf(case.createdAt)),
        case.lastOutcome?.let { outcomeLabel(it) } ?: t("app.cases.not_screened"),
        t(
            "app.cases.counts",
            "entries" to case.entries.toString(),
            "referrals" to case.referrals.toString(),
        ),
    ).joinToString("\n")

    /** The latest screening's outcome, from the core's own labels (interview and quick check). */
    private fun outcomeLabel(id: String): String {
        for (key in listOf("outcome.$id", "quick.outcome.$id")) {
            val label = t(key)
            if (label != key) return label
        }
        return id
    }

    private fun startForm(form: String) {
        state.currentCase = null
        go(FormActivity::class.java) { putExtra(EXTRA_FORM, form) }
    }

    private fun statusLabel(status: CaseStatus): String = t("app.cases.status.${status.name.lowercase()}")

    private fun dateOf(seconds: Long): String =
        DateFormat.getDateInstance(DateFormat.MEDIUM).format(Date(seconds * 1000))

    companion object {
        const val QUICK_CHECK = "quick-check"
        const val INTERVIEW = "interview"
    }
}
