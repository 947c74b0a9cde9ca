package org.relais.app

import android.content.DialogInterface
import android.content.Intent
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.relais.core.readDirectoryFile
import org.relais.core.sampleDirectoryFile
import org.relais.testing.TestCoordinator
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowAlertDialog

/**
 * The directory screen: nothing imported, the first import trusting the coordinator once its
 * number was compared, the status (who signed, version, date, counts), refusals shown as such
 * with the directory in use unchanged, the training sample, remembered receivers and this
 * phone's identity.
 */
@RunWith(RobolectricTestRunner::class)
class DirectoryTest {
    private val coordinator = TestCoordinator()

    @Test
    fun theFirstImportComparesTheCoordinatorsNumberThenTheStatusIsShown() {
        val phone = Phone("a")
        phone.setUp("Caritas Kikwit")
        val home = phone.launch(HomeActivity::class.java)
        home.click(home.ui("app.home.directory"))
        val screen = home.follow(DirectoryActivity::class.java)
        assertTrue(screen.shows(screen.ui("app.directory.none")))
        assertTrue(screen.shows(screen.ui("app.directory.sample")))
        // This phone's identity, for the coordinator to list it.
        val me = phone.state.requireVault().identity()
        assertTrue(screen.shows(me.keyHex))
        assertTrue(screen.shows(Trust.lines(me.fingerprint)))

        val file = coordinator.sign(listOf(TestCoordinator.Listed(me.keyHex, "Caritas Kikwit")), version = 4)
        screen.importFile(file)
        assertTrue(screen.shows(screen.ui("app.directory.first_title")))
        assertTrue(screen.shows(screen.ui("app.directory.signed_by", "coordinator" to coordinator.name)))
        assertTrue(screen.shows(Trust.lines(readDirectoryFile(file).coordinatorFingerprint)))
        // Cancelled: nothing trusted, nothing imported.
        screen.click(screen.ui("app.cancel"))
        assertNull(phone.state.requireVault().directoryStatus())
        assertFalse(phone.state.requireVault().hasCoordinator())

        screen.importFile(file)
        screen.click(screen.ui("app.directory.trust"))
        assertTrue(screen.texts().toString(), screen.shows(screen.ui("app.directory.imported", "version" to "4")))
        val status = phone.state.requireVault().directoryStatus()!!
        val date = Trust.date(status.issuedAt)
        assertTrue(screen.shows(screen.ui("app.directory.status", "name" to status.name, "version" to "4", "date" to date)))
        assertTrue(screen.shows(screen.ui("app.directory.signed_by", "coordinator" to coordinator.name)))
        assertTrue(screen.shows(screen.ui("app.directory.counts", "services" to "1", "organisations" to "1")))
        assertTrue(screen.shows(screen.ui("app.directory.fictitious")))
        assertTrue(screen.shows(Trust.lines(status.coordinatorFingerprint)))
        assertFalse("the sample is offered only before a coordinator is trusted", screen.shows(screen.ui("app.directory.sample")))

        screen.importFile(file)
        assertTrue(screen.shows(screen.ui("app.directory.unchanged")))
    }

    @Test
    fun refusedDirectoriesAreSaidSoAndTheOneInUseStays() {
        val phone = Phone("a")
        phone.setUp("Caritas Kikwit")
        val me = phone.state.requireVault().identity().keyHex
        val listed = listOf(TestCoordinator.Listed(me, "Caritas Kikwit"))
        phone.state.requireVault().importDirectory(coordinator.sign(listed, version = 2), coordinator.keyHex)
        val screen = phone.launch(DirectoryActivity::class.java)

        fun refused(file: String, key: String, vararg args: Pair<String, String>) {
            screen.importFile(file)
            assertTrue(screen.texts().toString(), screen.shows(screen.ui(key, *args)))
            assertEquals("the directory in use stays", 2uL, phone.state.requireVault().directoryStatus()?.version)
            assertTrue(screen.shows(screen.ui("app.directory.signed_by", "coordinator" to coordinator.name)))
        }
        val tampered = coordinator.sign(listed, version = 3).replace("Caritas Kikwit", "Caritas Kikwot")
        refused(tampered, "app.directory.refused_signature")
        refused(coordinator.sign(listed, version = 1), "app.directory.refused_older", "version" to "2")
        refused(TestCoordinator().sign(listed, version = 7), "app.directory.refused_other")
        refused(sampleDirectoryFile(), "app.directory.refused_other")
        refused("this is not a directory", "app.directory.refused_invalid")

        screen.importFile(coordinator.sign(listed, version = 3))
        assertTrue(screen.shows(screen.ui("app.directory.imported", "version" to "3")))
    }

    @Test
    fun theTrainingSampleIsImportedAfterAWarningAndMarkedFictitious() {
        val phone = Phone("a")
        phone.setUp("Caritas Kikwit")
        val screen = phone.launch(DirectoryActivity::class.java)
        screen.click(screen.ui("app.directory.sample"))
        ShadowAlertDialog.getLatestAlertDialog().getButton(DialogInterface.BUTTON_POSITIVE).performClick()
        shadowOf(android.os.Looper.getMainLooper()).idle()
        assertTrue(screen.texts().toString(), screen.shows(screen.ui("app.directory.imported", "version" to "1")))
        assertTrue(screen.shows(screen.ui("app.directory.fictitious")))
        val status = phone.state.requireVault().directoryStatus()!!
        assertTrue(status.fictitious)
        // The referral screen proposes from the directory in use.
        assertEquals(status.services.toInt(), phone.state.requireVault().serviceDirectory()!!.use { it.services().size })
    }

    @Test
    fun theFilePickerIsTheSystemsAndLeavingForItDoesNotLockAtOnce() {
        val phone = Phone("a")
        phone.setUp("Caritas Kikwit")
        phone.install()
        val controller = org.robolectric.Robolectric.buildActivity(DirectoryActivity::class.java).setup()
        val screen = controller.get()
        screen.click(screen.ui("app.directory.import"))
        val asked = shadowOf(screen).nextStartedActivityForResult
        assertEquals(Intent.ACTION_OPEN_DOCUMENT, asked.intent.action)
        controller.pause().stop()
        assertTrue("the picker is in front: the vault waits", phone.state.isUnlocked)
        org.robolectric.shadows.ShadowSystemClock.advanceBy(java.time.Duration.ofMillis(AppState.AWAY_GRACE_MS + 1))
        shadowOf(android.os.Looper.getMainLooper()).idleFor(java.time.Duration.ofMillis(AppState.AWAY_GRACE_MS + 1))
        assertFalse("locked when the app did not come back", phone.state.isUnlocked)
    }

    @Test
    fun aRememberedReceiverIsListedAndCanBeForgotten() {
        val phone = Phone("a")
        phone.setUp("Caritas Kikwit")
        val other = Phone("b")
        other.setUp("Maison Lisanga")
        val key = other.state.requireVault().openReceiveSession(10u, 939u.toUShort()).text
        phone.unlockAgain()
        val vault = phone.state.requireVault()
        val code = vault.createCase()
        vault.addNote(code, "Parle lingala")
        val check = vault.checkReceiver(key)
        vault.recordConsent(code, org.relais.core.ConsentPurpose.HANDOVER, check.consentTarget)
        vault.sendHandover(code, key, check.fingerprint, true).close()

        val screen = phone.launch(DirectoryActivity::class.java)
        assertTrue(screen.shows(screen.ui("app.directory.pinned_title")))
        val date = Trust.date(vault.pinnedReceivers().single().pinnedAt)
        assertTrue(screen.shows(screen.ui("app.directory.pinned_line", "organisation" to "Maison Lisanga", "date" to date)))
        assertTrue(screen.shows(Trust.lines(check.fingerprint)))
        screen.click(screen.ui("app.directory.forget", "organisation" to "Maison Lisanga"))
        assertTrue(vault.pinnedReceivers().isEmpty())
        assertFalse(screen.shows(screen.ui("app.directory.pinned_title")))
    }
}
