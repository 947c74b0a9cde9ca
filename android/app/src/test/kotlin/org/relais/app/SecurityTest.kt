package org.relais.app

import android.app.Activity
import android.os.SystemClock
import android.view.WindowManager
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.shadows.ShadowSystemClock
import java.io.File
import java.time.Duration
import javax.xml.parsers.DocumentBuilderFactory

@RunWith(RobolectricTestRunner::class)
class SecurityTest {
    private val manifest = File(repo, "android/app/src/main/AndroidManifest.xml")
    private val sources = File(repo, "android/app/src/main/kotlin")

    private fun secure(activity: Activity) =
        activity.window.attributes.flags and WindowManager.LayoutParams.FLAG_SECURE != 0

    @Test
    fun everyActivityOfTheManifestHasASecureWindow() {
        val phone = Phone("a")
        phone.setUp()
        val doc = DocumentBuilderFactory.newInstance().apply { isNamespaceAware = true }
            .newDocumentBuilder().parse(manifest)
        val names = (0 until doc.getElementsByTagName("activity").length).map {
            doc.getElementsByTagName("activity").item(it).attributes
                .getNamedItemNS("http://schemas.android.com/apk/res/android", "name").nodeValue
        }
        assertTrue(names.toString(), names.size >= 10)
        for (name in names) {
            @Suppress("UNCHECKED_CAST")
            val type = Class.forName(name) as Class<out Activity>
            val activity = phone.launch(type) { putExtra(BaseActivity.EXTRA_FORM, "quick-check") }
            assertTrue("$name has FLAG_SECURE", secure(activity))
        }
    }

    @Test
    fun theManifestAsksForNoNetworkAndAllowsNoBackup() {
        val text = manifest.readText()
        assertFalse("no INTERNET permission", text.contains("android.permission.INTERNET"))
        assertFalse("no network state either", text.contains("ACCESS_NETWORK_STATE"))
        assertTrue(text.contains("android:allowBackup=\"false\""))
        assertTrue(text.contains("android:fullBackupContent=\"false\""))
        assertTrue(text.contains("android:dataExtractionRules=\"@xml/data_extraction_rules\""))
        val rules = File(repo, "android/app/src/main/res/xml/data_extraction_rules.xml").readText()
        for (domain in listOf("root", "file", "database", "sharedpref", "external")) {
            assertEquals("$domain excluded from both", 2, Regex("exclude domain=\"$domain\"").findAll(rules).count())
        }
    }

    @Test
    fun theAppWritesNothingToTheLog() {
        val offenders = sources.walk().filter { it.isFile && it.extension == "kt" }.flatMap { file ->
            file.readLines().mapIndexedNotNull { i, line ->
                val code = line.substringBefore("//")
                if (Regex("""\bLog\.[a-z]+\(|println\(|printStackTrace\(|System\.(out|err)""").containsMatchIn(code)) {
                    "${file.name}:${i + 1}: ${line.trim()}"
                } else {
                    null
                }
            }
        }.toList()
        assertEquals(emptyList<String>(), offenders)
    }

    @Test
    fun leavingTheAppLocksTheVault() {
        val phone = Phone("a")
        phone.setUp()
        phone.install()
        val controller = Robolectric.buildActivity(HomeActivity::class.java).setup()
        assertTrue(phone.state.isUnlocked)
        controller.pause().stop()
        assertFalse("locked when the app leaves the screen", phone.state.isUnlocked)
        controller.start().resume()
        assertTrue(controller.get().isFinishing)
        controller.get().follow(UnlockActivity::class.java)
    }

    @Test
    fun theVaultLocksAfterTheTimeoutWithoutATouch() {
        val phone = Phone("a")
        phone.setUp()
        phone.state.lockTimeoutMinutes = 1
        val home = phone.launch(HomeActivity::class.java)
        ShadowSystemClock.advanceBy(Duration.ofSeconds(30))
        home.onUserInteraction()
        ShadowSystemClock.advanceBy(Duration.ofSeconds(45))
        org.robolectric.Shadows.shadowOf(android.os.Looper.getMainLooper()).idle()
        assertTrue("a touch 45 s ago keeps it open", phone.state.isUnlocked)
        ShadowSystemClock.advanceBy(Duration.ofSeconds(30))
        org.robolectric.Shadows.shadowOf(android.os.Looper.getMainLooper()).idleFor(Duration.ofSeconds(11))
        assertFalse("locked a minute after the last touch", phone.state.isUnlocked)
        assertTrue(home.isFinishing)
        assertTrue(SystemClock.elapsedRealtime() > 0)
    }
}
