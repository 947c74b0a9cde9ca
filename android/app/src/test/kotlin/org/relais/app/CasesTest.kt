package org.relais.app

import android.app.Activity
import android.content.DialogInterface
import android.os.Looper
import android.widget.Button
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.relais.core.CaseStatus
import org.relais.core.EntryKind
import org.relais.core.FormResultView
import org.relais.core.Interview
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowAlertDialog
import java.io.File

/** The case list and the case file: what is shown, and what each action stores in the vault. */
@RunWith(RobolectricTestRunner::class)
class CasesTest {
    @Test
    fun theListShowsTheScreenedCaseWithItsOutcomeAndOpensItsFile() {
        val phone = Phone("a")
        phone.setUp()
        val (code, result) = casesScreened(phone, "interview-fr-child-kikwit-domestic-market")

        val list = phone.launch(CaseListActivity::class.java)
        assertTrue(list.shows(list.ui("app.cases.title")))
        val item = list.casesButtonWith(code)
        assertTrue(item.text.contains(list.ui("outcome.possible_trafficking")))
        assertTrue(item.text.contains(list.ui("app.cases.status.active")))
        assertTrue(item.text.contains(list.ui("app.cases.counts", "entries" to "1", "referrals" to "0")))
        assertFalse(list.shows(list.ui("app.cases.empty")))
        item.performClick()
        shadowOf(Looper.getMainLooper()).idle()

        val detail = list.follow(CaseDetailActivity::class.java)
        assertTrue(detail.shows(detail.ui("app.case.title", "code" to code)))
        assertTrue(detail.shows(detail.ui("app.case.status", "status" to detail.ui("app.cases.status.active"))))
        val entry = detail.casesButtonWith(result.outcomeLabel)
        entry.performClick()
        shadowOf(Looper.getMainLooper()).idle()
        val opened = shadowOf(detail).nextStartedActivity
        assertEquals(ResultActivity::class.java.name, opened.component?.className)
        assertEquals(code, opened.getStringExtra(BaseActivity.EXTRA_CASE))
        assertEquals(result.outcomeId, phone.state.lastResult?.outcomeId)
        assertEquals(code, phone.state.currentCase)
    }

    @Test
    fun anEmptyListSaysSoAndOffersToStartAScreening() {
        val phone = Phone("a")
        phone.setUp()
        val list = phone.launch(CaseListActivity::class.java)
        assertTrue(list.shows(list.ui("app.cases.empty")))
        list.click(list.ui("app.home.interview"))
        val started = shadowOf(list).nextStartedActivity
        assertEquals(FormActivity::class.java.name, started.component?.className)
        assertEquals("interview", started.getStringExtra(BaseActivity.EXTRA_FORM))
        assertEquals(null, started.getStringExtra(BaseActivity.EXTRA_CASE))
    }

    @Test
    fun aNoteTypedInTheCaseIsStoredAndShown() {
        val phone = Phone("a")
        phone.setUp()
        val (code, _) = casesScreened(phone, "interview-fr-child-kikwit-domestic-market")
        val detail = phone.launch(CaseDetailActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        assertTrue(detail.shows(detail.ui("app.case.no_entries")).not())

        detail.click(detail.ui("app.case.add_note"))
        assertTrue("an empty note is refused", detail.shows(detail.ui("app.case.note_empty")))
        assertTrue(phone.state.requireVault().caseDetail(code).entries.none { it.kind == EntryKind.NOTE })

        val note = "Revoir jeudi au marché central, avec l'interprète"
        detail.type(detail.ui("app.case.note_hint"), note)
        detail.click(detail.ui("app.case.add_note"))
        val stored = phone.state.requireVault().caseDetail(code).entries.filter { it.kind == EntryKind.NOTE }
        assertEquals(listOf(note), stored.map { it.note })
        assertTrue(detail.shows(detail.ui("app.case.note_added")))
        assertTrue(detail.texts().contains(note))
        assertEquals("the field is emptied", "", detail.field(detail.ui("app.case.note_hint")).text.toString())
    }

    @Test
    fun closingReopeningAndDeletingACaseAreShownAndStored() {
        val phone = Phone("a")
        phone.setUp()
        val (code, _) = casesScreened(phone, "interview-fr-child-kikwit-domestic-market")
        val vault = phone.state.requireVault()
        val detail = phone.launch(CaseDetailActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        val closed = detail.ui("app.case.status", "status" to detail.ui("app.cases.status.closed"))
        val active = detail.ui("app.case.status", "status" to detail.ui("app.cases.status.active"))

        detail.click(detail.ui("app.case.set.closed"))
        assertEquals(CaseStatus.CLOSED, vault.caseDetail(code).status)
        assertNotNull(vault.caseDetail(code).closedAt)
        assertTrue(detail.shows(closed))
        assertFalse(detail.shows(active))
        assertFalse("a closed case is reopened, not closed again", detail.shows(detail.ui("app.case.set.closed")))

        detail.click(detail.ui("app.case.reopen"))
        assertEquals(CaseStatus.ACTIVE, vault.caseDetail(code).status)
        assertTrue(detail.shows(active))

        detail.click(detail.ui("app.case.set.follow_up"))
        assertEquals(CaseStatus.FOLLOW_UP, vault.listCases().single().status)
        val list = phone.launch(CaseListActivity::class.java)
        assertTrue(list.casesButtonWith(code).text.contains(list.ui("app.cases.status.follow_up")))

        detail.click(detail.ui("app.case.delete"))
        assertEquals("nothing deleted before confirming", 1, vault.listCases().size)
        ShadowAlertDialog.getLatestAlertDialog().getButton(DialogInterface.BUTTON_POSITIVE).performClick()
        shadowOf(Looper.getMainLooper()).idle()
        assertTrue(vault.listCases().isEmpty())
        assertTrue(detail.isFinishing)
        val after = detail.follow(CaseListActivity::class.java)
        assertFalse(after.shows(code))
        assertTrue(after.shows(after.ui("app.cases.empty")))
    }

    @Test
    fun anUnknownCaseSaysItIsNotOnThisPhone() {
        val phone = Phone("a")
        phone.setUp()
        val detail = phone.launch(CaseDetailActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, "RLS-XXXX-XXXX") }
        assertTrue(detail.shows(detail.ui("app.case.not_found")))
        assertFalse(detail.shows(detail.ui("app.case.delete")))
    }
}

/** A new case holding the finished golden drafts `tests/vectors/screen/<name>.draft.json`. */
private fun casesScreened(phone: Phone, vararg drafts: String): Pair<String, FormResultView> {
    val vault = phone.state.requireVault()
    val code = vault.createCase()
    var last: FormResultView? = null
    for (draft in drafts) {
        Interview.resume(File(repo, "tests/vectors/screen/$draft.draft.json").readText()).use {
            last = it.finish()
            vault.saveResult(code, it)
        }
    }
    return code to last!!
}

/** The button whose (several-line) label contains [text]. */
private fun Activity.casesButtonWith(text: String): Button =
    views().filterIsInstance<Button>().firstOrNull { it.text.contains(text) }
        ?: throw AssertionError("no button with \"$text\"; buttons: " + views().filterIsInstance<Button>().map { it.text })
