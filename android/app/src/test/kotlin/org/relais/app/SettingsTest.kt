package org.relais.app

import android.content.DialogInterface
import android.os.Looper
import android.view.WindowManager
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.relais.core.Language
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowAlertDialog

@RunWith(RobolectricTestRunner::class)
class SettingsTest {
    @Test
    fun choosingEnglishChangesTheAppsTextsAndFormsFollow() {
        val phone = Phone("a")
        phone.setUp()
        val settings = phone.launch(SettingsActivity::class.java)
        assertTrue(settings.shows("Réglages"))
        settings.click("English")
        assertEquals(Language.EN, phone.state.language)
        assertTrue(settings.shows("Settings"))
        val home = phone.launch(HomeActivity::class.java)
        assertTrue(home.shows("Quick check"))
        assertTrue(home.shows("Full interview"))
    }

    @Test
    fun theLockTimeoutIsChosenFromTheListAndKept() {
        val phone = Phone("a")
        phone.setUp()
        val settings = phone.launch(SettingsActivity::class.java)
        settings.click(settings.ui("app.settings.minutes", "minutes" to "2"))
        assertEquals(2, phone.state.lockTimeoutMinutes)
        assertTrue(settings.shows(settings.ui("app.settings.timeout", "minutes" to "2")))
    }

    @Test
    fun thePassphraseChangesAndTheOldOneNoLongerOpens() {
        val phone = Phone("a")
        phone.setUp()
        val settings = phone.launch(SettingsActivity::class.java)
        settings.type(settings.ui("app.settings.new_passphrase"), "new horse 4242")
        settings.field(settings.ui("app.settings.new_passphrase"))
        // Both "type it again" fields share a hint: the first belongs to the passphrase.
        settings.views().filterIsInstance<android.widget.EditText>()
            .first { it.hint == settings.ui("app.setup.confirm") }.setText("new horse 4242")
        settings.click(settings.ui("app.settings.passphrase"))
        awaitWork()
        assertTrue(settings.texts().toString(), settings.shows(settings.ui("app.settings.saved")))
        phone.state.lock()

        val unlock = phone.launch(UnlockActivity::class.java)
        unlock.type(unlock.ui("app.unlock.passphrase"), PASS)
        unlock.click(unlock.ui("app.unlock.button"))
        awaitWork()
        assertFalse(phone.state.isUnlocked)
        unlock.type(unlock.ui("app.unlock.passphrase"), "new horse 4242")
        unlock.click(unlock.ui("app.unlock.button"))
        awaitWork()
        assertTrue(phone.state.isUnlocked)
    }

    @Test
    fun thePanicWipeErasesTheVaultAndReturnsToSetUp() {
        val phone = Phone("a")
        phone.setUp()
        phone.state.requireVault().createCase()
        val settings = phone.launch(SettingsActivity::class.java)
        settings.click(settings.ui("app.settings.wipe"))
        val dialog = ShadowAlertDialog.getLatestAlertDialog()
        assertTrue(dialog.window!!.attributes.flags and WindowManager.LayoutParams.FLAG_SECURE != 0)
        assertTrue(phone.state.vaultExists())
        dialog.getButton(DialogInterface.BUTTON_POSITIVE).performClick()
        shadowOf(Looper.getMainLooper()).idle()
        assertFalse(phone.state.vaultExists())
        assertFalse(phone.state.isUnlocked)
        val unlock = settings.follow(UnlockActivity::class.java)
        assertTrue(unlock.shows(unlock.ui("app.setup.title")))
    }
}
