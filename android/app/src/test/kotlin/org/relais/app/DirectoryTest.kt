package org.relais.app

import android.content.DialogInterface
import android.content.Intent
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import android.view.WindowManager
import org.relais.core.ConsentPurpose
import org.relais.core.HandoverReceiver
import org.relais.core.directoryFrames
import org.relais.core.qrMatrix
import org.relais.core.readDirectoryFile
import org.relais.core.sampleCoordinatorKey
import org.relais.core.sampleDirectoryFile
import org.relais.testing.TestCoordinator
import org.relais.testing.TestFrames
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowAlertDialog

/**
 * The directory screen: nothing imported, the first import trusting the coordinator once its
 * number was compared, the status (who signed, version, date, counts), refusals shown as such
 * with the directory in use unchanged, the training sample, importing by scanning the
 * coordinator's QR codes (fed as the camera's decoder would hand them over), forgetting the
 * directory and its coordinator behind its warning, remembered receivers and this phone's identity.
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
        val dialog = ShadowAlertDialog.getLatestAlertDialog()
        // The warning says how to move to a real directory later: the reset on this screen.
        val warning = shadowOf(dialog).message.toString()
        assertEquals(screen.ui("app.directory.sample_confirm"), warning)
        assertTrue(warning, warning.contains(screen.ui("app.directory.reset")))
        dialog.getButton(DialogInterface.BUTTON_POSITIVE).performClick()
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

    private fun lit(activity: android.app.Activity) =
        activity.window.attributes.flags and WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON != 0

    @Test
    fun theDirectoryIsImportedByScanningItsCodesAfterComparingTheCoordinatorsNumber() {
        val phone = Phone("a")
        phone.setUp("Caritas Kikwit")
        val vault = phone.state.requireVault()
        val listed = listOf(TestCoordinator.Listed(vault.identity().keyHex, "Caritas Kikwit"))
        val screen = phone.launch(DirectoryActivity::class.java)
        assertTrue(screen.shows(screen.ui("app.directory.scan_help")))
        assertFalse(lit(screen))
        screen.click(screen.ui("app.directory.scan"))
        assertTrue(screen.shows(screen.ui("app.directory.scan_title")))
        assertTrue(screen.shows(screen.ui("app.directory.scan_steps")))
        assertTrue(screen.shows(screen.ui("app.directory.scan_waiting")))
        assertTrue("the screen stays lit while scanning", lit(screen))

        // A code that is not a frame is counted; one frame seen by the camera advances the progress.
        screen.onFrameText("HELLO WORLD")
        val frames = directoryFrames(coordinator.sign(listed, version = 4))
        val first = qrMatrix(frames[0])
        val side = QrBitmaps.span(first) * 4
        screen.onLuma(side, side, handoverLuma(first, modulePx = 4))
        val percent = HandoverReceiver().use { it.scanText(frames[0]).percent }
        val progress = screen.ui("app.handover.progress", "percent" to percent.toString(), "parts" to "1", "refused" to "1")
        assertTrue(screen.texts().toString(), screen.shows(progress))

        // The rest, in another order: the first import shows who signed and the number to compare.
        for (frame in frames.drop(1).reversed()) screen.onFrameText(frame)
        val file = coordinator.sign(listed, version = 4)
        val read = readDirectoryFile(file)
        assertTrue(screen.texts().toString(), screen.shows(screen.ui("app.directory.first_title")))
        assertTrue(screen.shows(screen.ui("app.directory.signed_by", "coordinator" to coordinator.name)))
        assertTrue(screen.shows(Trust.lines(read.coordinatorFingerprint)))
        assertFalse("the camera is off", lit(screen))
        assertFalse("nothing trusted before the comparison", vault.hasCoordinator())
        screen.click(screen.ui("app.directory.trust"))
        assertTrue(screen.texts().toString(), screen.shows(screen.ui("app.directory.imported", "version" to "4")))
        assertEquals(4uL, vault.directoryStatus()?.version)

        // A newer one from the same coordinator is imported at once.
        screen.click(screen.ui("app.directory.scan"))
        for (frame in directoryFrames(coordinator.sign(listed, version = 5))) screen.onFrameText(frame)
        assertTrue(screen.texts().toString(), screen.shows(screen.ui("app.directory.imported", "version" to "5")))

        // Codes of a directory changed after signing: refused, the one in use stays.
        val tampered = coordinator.sign(listed, version = 6).replace("Caritas Kikwit", "Caritas Kikwot")
        screen.click(screen.ui("app.directory.scan"))
        for (frame in TestFrames.of(tampered.toByteArray())) screen.onFrameText(frame)
        assertTrue(screen.texts().toString(), screen.shows(screen.ui("app.directory.refused_signature")))
        assertEquals(5uL, vault.directoryStatus()?.version)
        // Codes of bytes that are not a directory at all.
        screen.click(screen.ui("app.directory.scan"))
        for (frame in TestFrames.of(byteArrayOf(0xFF.toByte(), 0, 0x80.toByte()))) screen.onFrameText(frame)
        assertTrue(screen.texts().toString(), screen.shows(screen.ui("app.directory.refused_frames")))
        assertEquals(5uL, vault.directoryStatus()?.version)

        // Cancelled half-way: nothing imported, the camera off.
        screen.click(screen.ui("app.directory.scan"))
        screen.onFrameText(directoryFrames(coordinator.sign(listed, version = 7))[0])
        screen.click(screen.ui("app.cancel"))
        assertFalse(lit(screen))
        assertTrue(screen.shows(screen.ui("app.directory.scan")))
        assertEquals(5uL, vault.directoryStatus()?.version)
    }

    @Test
    fun theCodesOfACaseScannedOnTheDirectoryScreenAreRefusedAsNotADirectory() {
        val phone = Phone("a")
        phone.setUp("Caritas Kikwit")
        val other = Phone("b")
        other.setUp("Maison Lisanga")
        val key = other.state.requireVault().openReceiveSession(10u, 939u.toUShort()).text
        phone.unlockAgain()
        val vault = phone.state.requireVault()
        vault.importDirectory(sampleDirectoryFile(), sampleCoordinatorKey())
        val code = vault.createCase()
        vault.addNote(code, "Parle lingala")
        val check = vault.checkReceiver(key)
        vault.recordConsent(code, ConsentPurpose.HANDOVER, check.consentTarget)
        val frames = vault.sendHandover(code, key, check.fingerprint, false).use { out ->
            (1u..out.loopLength()).map { out.frameText(it) }
        }
        val screen = phone.launch(DirectoryActivity::class.java)
        screen.click(screen.ui("app.directory.scan"))
        for (frame in frames) screen.onFrameText(frame)
        assertTrue(screen.texts().toString(), screen.shows(screen.ui("app.directory.refused_frames")))
        assertTrue(vault.directoryStatus()!!.fictitious)
    }

    @Test
    fun forgettingTheDirectoryAndItsCoordinatorNeedsItsWarningAndTheBoxTicked() {
        val phone = Phone("a")
        phone.setUp("Caritas Kikwit")
        val vault = phone.state.requireVault()
        // A training phone: the fictitious sample; the real directory is refused.
        vault.importDirectory(sampleDirectoryFile(), sampleCoordinatorKey())
        val real = TestCoordinator("Secrétariat NRM")
        val file = real.sign(listOf(TestCoordinator.Listed(vault.identity().keyHex, "Caritas Kikwit")), version = 1, fictitious = false)
        val screen = phone.launch(DirectoryActivity::class.java)
        screen.importFile(file)
        assertTrue(screen.shows(screen.ui("app.directory.refused_other")))
        assertFalse(screen.shows(screen.ui("app.directory.sample")))

        // The warning, what would be forgotten, and a red button that waits for the box.
        screen.click(screen.ui("app.directory.reset"))
        assertTrue(screen.shows(screen.ui("app.directory.reset_title")))
        assertTrue(screen.shows(screen.ui("app.directory.reset_warning")))
        assertTrue(screen.shows(screen.ui("app.directory.fictitious")))
        assertTrue(screen.shows(Trust.lines(vault.directoryStatus()!!.coordinatorFingerprint)))
        assertFalse("not before the box is ticked", screen.button(screen.ui("app.directory.reset_confirm")).isEnabled)
        screen.button(screen.ui("app.directory.reset_confirm")).performClick()
        assertTrue(vault.hasCoordinator())
        screen.click(screen.ui("app.cancel"))
        assertTrue("cancelled: nothing forgotten", vault.hasCoordinator())
        assertTrue(vault.directoryStatus()!!.fictitious)

        screen.click(screen.ui("app.directory.reset"))
        screen.check(screen.ui("app.directory.reset_understood"))
        screen.click(screen.ui("app.directory.reset_confirm"))
        assertTrue(screen.texts().toString(), screen.shows(screen.ui("app.directory.reset_done")))
        assertFalse(vault.hasCoordinator())
        assertNull(vault.directoryStatus())
        assertTrue(screen.shows(screen.ui("app.directory.none")))
        assertTrue("no coordinator trusted: the sample is offered again", screen.shows(screen.ui("app.directory.sample")))
        assertFalse(screen.views().filterIsInstance<android.widget.Button>().any { it.text == screen.ui("app.directory.reset") })

        // The real directory, from its codes, after its coordinator's number was compared.
        screen.click(screen.ui("app.directory.scan"))
        for (frame in directoryFrames(file)) screen.onFrameText(frame)
        assertTrue(screen.shows(screen.ui("app.directory.first_title")))
        assertTrue(screen.shows(screen.ui("app.directory.signed_by", "coordinator" to "Secrétariat NRM")))
        screen.click(screen.ui("app.directory.trust"))
        assertTrue(screen.texts().toString(), screen.shows(screen.ui("app.directory.imported", "version" to "1")))
        assertFalse(vault.directoryStatus()!!.fictitious)
        assertFalse(screen.shows(screen.ui("app.directory.fictitious")))
    }
}
