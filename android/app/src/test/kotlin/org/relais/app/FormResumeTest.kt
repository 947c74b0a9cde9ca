package org.relais.app

import android.content.DialogInterface
import android.content.Intent
import android.os.Looper
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.relais.core.Interview
import org.relais.core.Language
import org.relais.core.Screen
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowAlertDialog
import org.robolectric.shadows.ShadowSystemClock
import java.time.Duration

/**
 * A form interrupted (the worker leaves the app, or the phone is left untouched until it locks)
 * is kept sealed in the vault and offered again on Home, at the question where it stopped.
 */
@RunWith(RobolectricTestRunner::class)
class FormResumeTest {
    @Test
    fun leavingTheAppMidFormKeepsTheAnswersAndHomeContinuesAtTheSameQuestion() {
        val phone = Phone("a")
        phone.setUp()
        phone.install()
        val intent = Intent(phone.context, FormActivity::class.java).putExtra(BaseActivity.EXTRA_FORM, "quick-check")
        val controller = Robolectric.buildActivity(FormActivity::class.java, intent).setup()
        val form = controller.get()
        Interview("quick-check", Language.FR, null).use { mirror ->
            val third = answerFirstOptions(form, mirror, 2)

            // The worker switches app: the answers are sealed, then the vault locks.
            controller.pause().stop()
            assertFalse(phone.state.isUnlocked)
            phone.unlockAgain()
            val pending = requireNotNull(phone.state.requireVault().pendingDraft()) { "the form was not kept" }
            assertEquals("quick-check", pending.formId)
            assertNull(pending.caseCode)

            val home = phone.launch(HomeActivity::class.java)
            val title = org.relais.core.forms(Language.FR).single { it.id == "quick-check" }.title
            // The banner names the form (the date is the phone's clock, in its own format).
            val banner = home.ui("app.home.pending", "form" to title, "date" to "\u0000").substringBefore("\u0000")
            assertTrue(home.texts().toString(), home.shows(banner))
            home.click(home.ui("app.home.continue"))
            val resumed = home.follow(FormActivity::class.java)
            assertTrue("the same question: ${resumed.texts()}", resumed.shows(third.question!!.prompt))
            assertTrue(resumed.shows(FormViews.progressText(third.labels.progress, third.progress)))

            // Quitting it (confirmed) discards what was kept.
            resumed.click(third.labels.quit)
            ShadowAlertDialog.getLatestAlertDialog().getButton(DialogInterface.BUTTON_POSITIVE).performClick()
            shadowOf(Looper.getMainLooper()).idle()
            assertNull(phone.state.requireVault().pendingDraft())
            val again = phone.launch(HomeActivity::class.java)
            assertFalse(again.shows(again.ui("app.home.continue")))
        }
    }

    @Test
    fun theTimeoutKeepsTheFormBeforeLockingAndFinishingItClearsIt() {
        val phone = Phone("a")
        phone.setUp()
        phone.state.lockTimeoutMinutes = 1
        val form = phone.launch(FormActivity::class.java) { putExtra(BaseActivity.EXTRA_FORM, "quick-check") }
        Interview("quick-check", Language.FR, null).use { mirror ->
            val second = answerFirstOptions(form, mirror, 1)
            ShadowSystemClock.advanceBy(Duration.ofSeconds(61))
            shadowOf(Looper.getMainLooper()).idleFor(Duration.ofSeconds(11))
            assertFalse("locked a minute after the last touch", phone.state.isUnlocked)
            assertTrue(form.isFinishing)

            phone.unlockAgain()
            val home = phone.launch(HomeActivity::class.java)
            home.click(home.ui("app.home.continue"))
            val resumed = home.follow(FormActivity::class.java)
            assertTrue("the second question: ${resumed.texts()}", resumed.shows(second.question!!.prompt))

            // Answered to the end and finished: one case, and nothing left pending.
            var screen = second
            while (screen.question != null) {
                val first = screen.question!!.options.first()
                resumed.click(first.label)
                screen = mirror.choose(listOf(first.id))
            }
            resumed.click(screen.labels.finish)
            resumed.follow(ResultActivity::class.java)
            assertNull(phone.state.requireVault().pendingDraft())
            assertEquals(1, phone.state.requireVault().listCases().size)
        }
    }

    @Test
    fun homeCanDiscardTheKeptFormAfterConfirming() {
        val phone = Phone("a")
        phone.setUp()
        val vault = phone.state.requireVault()
        Interview("quick-check", Language.FR, null).use { session ->
            session.choose(listOf(session.screen().question!!.options.first().id))
            vault.savePendingDraft(session, null)
        }
        val home = phone.launch(HomeActivity::class.java)
        home.click(home.ui("app.home.discard"))
        assertNotNull("nothing is discarded before confirming", vault.pendingDraft())
        ShadowAlertDialog.getLatestAlertDialog().getButton(DialogInterface.BUTTON_POSITIVE).performClick()
        shadowOf(Looper.getMainLooper()).idle()
        assertNull(vault.pendingDraft())
        assertFalse(home.shows(home.ui("app.home.continue")))
        assertTrue(home.shows(home.ui("app.home.quick_check")))
    }

    /** Taps the first option of [count] questions, on screen and in [mirror]; the next screen. */
    private fun answerFirstOptions(form: FormActivity, mirror: Interview, count: Int): Screen {
        var screen = mirror.screen()
        repeat(count) {
            val first = screen.question!!.options.first()
            form.click(first.label)
            screen = mirror.choose(listOf(first.id))
        }
        assertTrue(form.shows(screen.question!!.prompt))
        return screen
    }
}
