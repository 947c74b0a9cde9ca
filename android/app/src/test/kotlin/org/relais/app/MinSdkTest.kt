package org.relais.app

import android.os.Build
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.annotation.Config

/**
 * The app on Android 7.0 (API 24, its minSdk), the oldest phones in the field: the code is
 * compiled against API 35, so a call to a newer API would only fail here, at run time. The
 * bindings also take their other cleaner path below API 34 (JNA's instead of SystemCleaner).
 */
@RunWith(RobolectricTestRunner::class)
@Config(sdk = [24])
class MinSdkTest {
    @Test
    fun setUpUnlockAndSettingsWorkOnAndroid7() {
        assertEquals(24, Build.VERSION.SDK_INT)
        val phone = Phone("old")
        val home = phone.setUp("Caritas Kikwit")
        assertTrue(home.shows("Caritas Kikwit"))
        phone.state.lock()

        val unlock = phone.launch(UnlockActivity::class.java)
        unlock.type(unlock.ui("app.unlock.passphrase"), "wrong horse 42")
        unlock.click(unlock.ui("app.unlock.button"))
        awaitWork()
        assertTrue(unlock.shows(unlock.ui("app.unlock.wrong", "remaining" to "9")))
        unlock.type(unlock.ui("app.unlock.passphrase"), PASS)
        unlock.click(unlock.ui("app.unlock.button"))
        awaitWork()
        assertTrue(phone.state.isUnlocked)

        val settings = phone.launch(SettingsActivity::class.java)
        settings.click("Español")
        assertTrue(settings.shows("Ajustes"))
        assertFalse(settings.isFinishing)
    }
}
