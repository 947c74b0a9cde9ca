package org.relais.app

import android.graphics.Bitmap
import android.graphics.Color
import android.graphics.drawable.BitmapDrawable
import android.os.Looper
import android.view.WindowManager
import android.widget.ImageView
import android.widget.ProgressBar
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.relais.core.ConsentPurpose
import org.relais.core.EntryKind
import org.relais.core.HandoverReceiver
import org.relais.core.Interview
import org.relais.core.QrMatrix
import org.relais.core.ScanStatus
import org.relais.core.Verification
import org.relais.core.decodeQrLuma
import org.relais.core.qrMatrix
import org.relais.core.readDirectoryFile
import org.relais.testing.TestCoordinator
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import java.io.File

@RunWith(RobolectricTestRunner::class)
class HandoverTest {
    @Test
    fun theHandoverScreensKeepThePhonesScreenLitAndOthersDoNot() {
        val a = Phone("a")
        a.setUp("Caritas Kikwit")
        val code = a.state.requireVault().createCase()
        fun lit(activity: android.app.Activity) =
            activity.window.attributes.flags and WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON != 0
        assertTrue(lit(a.launch(HandoverReceiveActivity::class.java)))
        assertTrue(lit(a.launch(HandoverSendActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }))
        assertFalse(lit(a.launch(HomeActivity::class.java)))
    }

    @Test
    fun anUnlistedReceiverIsComparedByItsNumberThenTheCaseGoesWithConsentAndIsAcknowledged() {
        // The receiving phone shows its key, and its number under it.
        val (a, code, b, receive, key) = twoPhones(consented = false)
        val number = requireNotNull(receive.fingerprint)
        assertEquals(b.state.requireVault().identity().fingerprint, number)
        assertTrue(receive.shows(receive.ui("app.handover.receiving_as", "organisation" to "Maison Lisanga")))
        assertTrue(receive.shows(receive.ui("app.handover.your_fingerprint")))
        assertTrue(receive.texts().toString(), receive.shows(Trust.lines(number)))
        assertTrue(receive.shows(receive.ui("app.handover.valid_for", "minutes" to "10")))
        assertTrue(receive.shows(receive.ui("app.handover.waiting")))

        // The worker scans it: no directory on this phone, so the key is not verified; its number
        // is shown, large, to compare with the receiving screen before anything is sealed.
        a.unlockAgain()
        val send = a.launch(HandoverSendActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        assertTrue(send.shows(send.ui("app.handover.scan_key")))
        send.onScanned(key)
        assertTrue(send.texts().toString(), send.shows(send.ui("app.handover.not_verified", "organisation" to "Maison Lisanga")))
        assertTrue(send.shows(send.ui("app.handover.compare_title")))
        assertTrue(send.shows(send.ui("app.handover.compare_help")))
        assertTrue("the same number as on the receiving screen", send.shows(Trust.lines(number)))
        assertEquals(Verification.NOT_VERIFIED, send.receiver?.verification)
        assertFalse(send.sealed)
        send.check(send.ui("app.handover.remember"))
        send.click(send.ui("app.handover.fingerprint_same"))

        // The person has not agreed yet: the question names the receiver with its number.
        val target = "Maison Lisanga ($number)"
        assertTrue(send.texts().toString(), send.shows(send.ui("app.handover.consent_missing")))
        assertTrue(send.shows(send.ui("app.handover.consent_question", "organisation" to target)))
        assertFalse("nothing sealed before the person agrees", send.sealed)
        send.click(send.ui("app.handover.consent_yes"))
        awaitWork()

        assertTrue("sealed: ${send.texts()}", send.sealed)
        val senderNumber = a.state.requireVault().identity().fingerprint
        assertTrue(send.shows(send.ui("app.handover.compared", "organisation" to "Maison Lisanga")))
        assertTrue(send.shows(send.ui("app.handover.to", "organisation" to "Maison Lisanga")))
        val frames = send.frameTexts()
        assertTrue(frames.size > 1)
        assertTrue(send.shows(send.ui("app.handover.frame", "index" to "1", "count" to frames.size.toString())))
        assertTrue("a frame is drawn", shownBitmaps(send).isNotEmpty())
        val consent = a.state.requireVault().caseDetail(code).entries.single { it.kind == EntryKind.CONSENT }
        assertEquals(target, consent.consentScope)
        assertEquals("remembered once sealed", listOf(number), a.state.requireVault().pinnedReceivers().map { it.fingerprint })

        // The receiving camera misses every third frame of the first loop, then reads on.
        b.unlockAgain()
        for ((i, frame) in (frames + frames + frames).withIndex()) {
            if (receive.ackText != null) break
            if (i < frames.size && i % 3 == 2) continue
            receive.onFrameText(frame)
        }
        val ack = requireNotNull(receive.ackText) { "not received: ${receive.texts()}" }
        // The sender is not in the receiver's directory either: a claimed name, with its number.
        assertTrue(receive.texts().toString(), receive.shows(receive.ui("app.handover.from_unverified", "organisation" to "Caritas Kikwit")))
        assertTrue(receive.shows(receive.ui("app.handover.sender_fingerprint")))
        assertTrue(receive.shows(Trust.lines(senderNumber)))
        assertFalse(receive.shows(receive.ui("app.handover.already")))
        val arrived = b.state.requireVault().listCases().map { it.code }
        assertEquals(1, arrived.size)
        val detail = b.state.requireVault().caseDetail(arrived[0]!!)
        assertTrue(detail.imported)
        assertEquals("interview", detail.entries.first { it.kind == EntryKind.SCREENING }.formId)

        // The sender scans the acknowledgement: first a wrong code, then the right one.
        a.unlockAgain()
        send.click(send.ui("app.handover.to_ack"))
        assertTrue(send.shows(send.ui("app.handover.scan_ack")))
        send.onScanned("HELLO WORLD")
        assertTrue(send.shows(send.ui("app.handover.not_the_ack")))
        send.onScanned(ack)
        assertTrue(send.texts().toString(), send.shows(send.ui("app.handover.acknowledged", "organisation" to "Maison Lisanga")))
        val custody = a.state.requireVault().caseDetail(code).entries.filter { it.kind == EntryKind.CUSTODY }
        assertEquals(listOf("sent", "acknowledged"), custody.map { it.custodyEvent })
        assertTrue(custody.all { it.organisation == "Maison Lisanga" })

        // The receiver opens the case it received.
        receive.click(receive.ui("app.handover.open_case"))
        val next = shadowOf(receive).nextStartedActivity
        assertEquals(CaseDetailActivity::class.java.name, next.component?.className)
        assertEquals(arrived[0], next.getStringExtra(BaseActivity.EXTRA_CASE))

        // The next key of that phone is verified by this one: remembered, no comparison asked.
        b.unlockAgain()
        val nextKey = requireNotNull(b.launch(HandoverReceiveActivity::class.java).keyText)
        a.unlockAgain()
        val again = a.launch(HandoverSendActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        again.onScanned(nextKey)
        awaitWork()
        assertEquals(Verification.PINNED, again.receiver?.verification)
        val date = Trust.date(a.state.requireVault().pinnedReceivers().single().pinnedAt)
        assertTrue(again.texts().toString(), again.shows(again.ui("app.handover.verified_pinned", "date" to date, "organisation" to "Maison Lisanga")))
        assertFalse(again.shows(again.ui("app.handover.compare_title")))
        assertTrue("the consent given names it with its number: sealed at once", again.sealed)
    }

    @Test
    fun differentNumbersCancelAndNothingIsSealed() {
        val (a, code, _, _, key) = twoPhones(consented = true)
        a.unlockAgain()
        val send = a.launch(HandoverSendActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        send.onScanned(key)
        assertTrue(send.shows(send.ui("app.handover.compare_title")))
        send.check(send.ui("app.handover.remember"))
        send.click(send.ui("app.handover.fingerprint_different"))
        awaitWork()

        assertTrue(send.texts().toString(), send.shows(send.ui("app.handover.fingerprint_differs")))
        assertTrue(send.shows(send.ui("app.handover.not_sent")))
        assertFalse(send.sealed)
        assertEquals(emptyList<String>(), send.frameTexts())
        assertTrue("no frame on screen", shownBitmaps(send).isEmpty())
        send.onScanned(key) // a late scan changes nothing
        assertFalse(send.sealed)
        val vault = a.state.requireVault()
        assertTrue(vault.caseDetail(code).entries.none { it.kind == EntryKind.CUSTODY })
        assertTrue("nothing remembered", vault.pinnedReceivers().isEmpty())
    }

    @Test
    fun aListedReceiverIsShownByItsListedNameAndTheSenderToo() {
        val coordinator = TestCoordinator()
        // The receiver's key names it "Lisanga"; the directory lists it under its full name.
        val (a, code, b, receive, key) = twoPhones(consented = false, receiverName = "Lisanga")
        val receiverIdentity = b.state.requireVault().identity().keyHex
        a.unlockAgain()
        val senderIdentity = a.state.requireVault().identity().keyHex
        val file = coordinator.sign(
            listOf(
                TestCoordinator.Listed(receiverIdentity, "Maison Lisanga (Kikwit)"),
                TestCoordinator.Listed(senderIdentity, "Caritas Kikwit"),
            ),
            version = 1,
        )
        // The receiving phone imports it too (so that it can name the sender).
        b.unlockAgain()
        b.state.requireVault().importDirectory(file, coordinator.keyHex)

        // The sender imports it through its directory screen: the first import asks to compare the
        // coordinator's number.
        a.unlockAgain()
        val directory = a.launch(DirectoryActivity::class.java)
        directory.importFile(file)
        assertTrue(directory.texts().toString(), directory.shows(directory.ui("app.directory.first_title")))
        val read = readDirectoryFile(file)
        assertTrue(directory.shows(Trust.lines(read.coordinatorFingerprint)))
        directory.click(directory.ui("app.directory.trust"))
        assertTrue(directory.shows(directory.ui("app.directory.imported", "version" to "1")))

        val send = a.launch(HandoverSendActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        send.onScanned(key)
        // Listed: no number to compare; the listed name (never the key's own) and area.
        assertFalse(send.shows(send.ui("app.handover.compare_title")))
        val verified = send.ui("app.handover.verified_listed", "organisation" to "Maison Lisanga (Kikwit)", "area" to "Kwilu/Kikwit")
        assertTrue(send.texts().toString(), send.shows(verified))
        assertTrue(send.shows(send.ui("app.handover.verified_fictitious")))
        assertTrue(send.shows(send.ui("app.handover.consent_question", "organisation" to "Maison Lisanga (Kikwit)")))
        send.click(send.ui("app.handover.consent_yes"))
        awaitWork()
        assertTrue(send.sealed)
        assertTrue(send.shows(verified))
        assertTrue(send.shows(send.ui("app.handover.to", "organisation" to "Maison Lisanga (Kikwit)")))
        assertTrue("a listed receiver is not remembered", a.state.requireVault().pinnedReceivers().isEmpty())

        b.unlockAgain()
        for (frame in send.frameTexts() + send.frameTexts()) {
            if (receive.ackText != null) break
            receive.onFrameText(frame)
        }
        assertNotNull(receive.texts().toString(), receive.ackText)
        assertTrue(receive.texts().toString(), receive.shows(receive.ui("app.handover.from_verified", "organisation" to "Caritas Kikwit")))
        assertFalse(receive.shows(receive.ui("app.handover.sender_fingerprint")))
    }

    @Test
    fun junkCodesAreCountedAsRefusedAndNothingIsImported() {
        val b = Phone("b")
        b.setUp("Maison Lisanga")
        val receive = b.launch(HandoverReceiveActivity::class.java)
        val ownKey = receive.keyText!!
        for (junk in listOf("HELLO WORLD", "RL1:ZZZZ", "https://example.org/", ownKey)) receive.onFrameText(junk)
        // A blank camera frame and a malformed one change nothing.
        receive.onLuma(320, 240, ByteArray(320 * 240) { 0xFF.toByte() })
        receive.onLuma(10, 10, ByteArray(5))

        val refused = receive.ui("app.handover.progress", "percent" to "0", "parts" to "0", "refused" to "4")
        assertTrue(receive.texts().toString(), receive.shows(refused))
        assertTrue(receive.shows(receive.ui("app.handover.show_key")))
        assertNull(receive.ackText)
        assertFalse(receive.isFinishing)
        assertEquals(0, b.state.requireVault().listCases().size)
    }

    @Test
    fun aFrameSeenByTheCameraAsLuminanceAdvancesTheProgress() {
        val (a, code, _, receive, key) = twoPhones(consented = true)

        a.unlockAgain()
        val number = a.state.requireVault().checkReceiver(key).fingerprint
        val frame = a.state.requireVault().sendHandover(code, key, number, false).use { it.frame(1u) }
        val side = QrBitmaps.span(frame) * 4
        val luma = handoverLuma(frame, modulePx = 4)
        val expected = HandoverReceiver().use { it.scanLuma(side.toUInt(), side.toUInt(), luma) }
        assertEquals(ScanStatus.RECEIVING, expected.status)
        assertEquals(1u, expected.received)

        assertTrue(receive.shows(receive.ui("app.handover.waiting")))
        receive.onLuma(side, side, luma)
        val line = receive.ui(
            "app.handover.progress",
            "percent" to expected.percent.toString(),
            "parts" to "1",
            "refused" to "0",
        )
        assertTrue(receive.texts().toString(), receive.shows(line))
        val bar = receive.views().filterIsInstance<ProgressBar>().single()
        assertEquals(expected.percent.toInt(), bar.progress)
        assertNull(receive.ackText)
    }

    @Test
    fun withoutTheConsentAndRefusingNothingIsSent() {
        val (a, code, _, _, key) = twoPhones(consented = false)

        a.unlockAgain()
        val send = a.launch(HandoverSendActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        // A code that is not a receiver's key is named as such, and the screen keeps scanning.
        send.onScanned("https://example.org/")
        assertTrue(send.shows(send.ui("app.handover.not_a_key")))
        assertTrue(send.shows(send.ui("app.handover.scan_key")))

        send.onScanned(key)
        send.click(send.ui("app.handover.fingerprint_same"))
        val number = a.state.requireVault().checkReceiver(key).fingerprint
        assertTrue(send.shows(send.ui("app.handover.consent_question", "organisation" to "Maison Lisanga ($number)")))
        send.click(send.ui("app.handover.consent_no"))
        awaitWork()

        assertTrue(send.shows(send.ui("app.handover.not_sent")))
        assertFalse(send.sealed)
        assertEquals(emptyList<String>(), send.frameTexts())
        assertTrue("no frame on screen", shownBitmaps(send).isEmpty())
        send.onScanned(key) // a late scan changes nothing
        assertTrue(send.shows(send.ui("app.handover.not_sent")))
        val entries = a.state.requireVault().caseDetail(code).entries
        assertTrue(entries.none { it.kind == EntryKind.CUSTODY })
        assertTrue(entries.none { it.kind == EntryKind.CONSENT })
    }

    @Test
    fun damagedAndOldKeysAreRefusedAsSuchAndAConsentGivenEarlierSendsAfterTheComparison() {
        val (a, code, _, _, key) = twoPhones(consented = true)

        a.unlockAgain()
        val send = a.launch(HandoverSendActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        // A key of the first handover format: an older Relais, said so.
        send.onScanned("RLK1:6BFOXN*TS0BI")
        assertTrue(send.texts().toString(), send.shows(send.ui("app.handover.key_old_format")))
        // One character changed in the middle: the key's signature no longer holds.
        val middle = key.length / 2
        val damaged = key.substring(0, middle) + (if (key[middle] == 'A') 'B' else 'A') + key.substring(middle + 1)
        send.onScanned(damaged)
        assertTrue(send.texts().toString(), send.shows(send.ui("app.handover.key_refused")))
        assertTrue("the camera keeps scanning", send.shows(send.ui("app.handover.scan_key")))
        assertFalse(send.sealed)
        assertTrue(shownBitmaps(send).isEmpty())
        assertTrue(a.state.requireVault().caseDetail(code).entries.none { it.kind == EntryKind.CUSTODY })

        // The real key: compared, then the consent recorded earlier covers it; no question again.
        send.onScanned(key)
        send.click(send.ui("app.handover.fingerprint_same"))
        awaitWork()
        assertFalse(send.shows(send.ui("app.handover.consent_title")))
        assertTrue(send.texts().toString(), send.sealed)
        assertTrue("not remembered unless asked", a.state.requireVault().pinnedReceivers().isEmpty())
        val consents = a.state.requireVault().caseDetail(code).entries.filter { it.kind == EntryKind.CONSENT }
        assertEquals("no second consent record", 1, consents.size)
    }

    @Test
    fun qrBitmapsHaveAQuietZoneWholePixelsPerModuleAndBlackModules() {
        val matrix = qrMatrix("RLA2:HANDOVER TEST")
        val size = matrix.size.toInt()
        val bitmap = QrBitmaps.render(matrix, 3)
        assertEquals((size + 8) * 3, bitmap.width)
        assertEquals(bitmap.width, bitmap.height)
        for (y in -4 until size + 4) {
            for (x in -4 until size + 4) {
                val dark = x in 0 until size && y in 0 until size && matrix.modules[y * size + x].toInt() == 1
                val want = if (dark) Color.BLACK else Color.WHITE
                // Every pixel of the module, corners included.
                for ((dx, dy) in listOf(0 to 0, 2 to 0, 0 to 2, 2 to 2)) {
                    assertEquals("module $x,$y", want, bitmap.getPixel((x + 4) * 3 + dx, (y + 4) * 3 + dy))
                }
            }
        }
        assertEquals(Color.BLACK, bitmap.getPixel(12, 12)) // the finder pattern's corner
        val fitted = QrBitmaps.fitting(matrix, 500)
        assertTrue(fitted.width <= 500)
        assertEquals(0, fitted.width % (size + 8))

        // The key on the receiving screen is drawn so that the core's decoder reads it back.
        val b = Phone("b")
        b.setUp("Maison Lisanga")
        val receive = b.launch(HandoverReceiveActivity::class.java)
        val shown = shownBitmaps(receive).single()
        assertEquals(listOf(receive.keyText), decodeQrLuma(shown.width.toUInt(), shown.height.toUInt(), handoverLuma(shown)))
    }

    @Test
    fun theCameraSaysWhenItCannotRunAndTheScreensStillWork() {
        val b = Phone("b")
        b.setUp("Maison Lisanga")
        val receive = b.launch(HandoverReceiveActivity::class.java)
        // Robolectric grants no camera permission: the screen asks for it, once, and says why.
        assertTrue(receive.texts().toString(), receive.shows(receive.ui("app.camera.permission")))
        assertTrue(receive.shows(receive.ui("app.camera.allow")))
        val asked = shadowOf(receive).lastRequestedPermission
        assertNotNull(asked)
        assertEquals(listOf(android.Manifest.permission.CAMERA), asked.requestedPermissions.toList())
        shadowOf(Looper.getMainLooper()).idle()
        assertNotNull(receive.keyText)
    }

    @Test
    fun theSendScreenWithoutACaseSaysSoAndShowsNoCamera() {
        val a = Phone("a")
        a.setUp("Caritas Kikwit")
        val send = a.launch(HandoverSendActivity::class.java)
        assertTrue(send.shows(send.ui("app.handover.no_case")))
        assertFalse(send.shows(send.ui("app.handover.scan_key")))
        send.onScanned("RLK2:ANYTHING")
        assertFalse(send.sealed)
    }
}

/** Phone a (a field team) with a screened case and phone b (a shelter) showing its receiver key. */
private data class TwoPhones(
    val a: Phone,
    val code: String,
    val b: Phone,
    val receive: HandoverReceiveActivity,
    val key: String,
)

/**
 * [TwoPhones], no directory on either; when [consented], the person's consent to the shelter as
 * the sender will see it — its name with its number — recorded first.
 */
private fun twoPhones(consented: Boolean, receiverName: String = "Maison Lisanga"): TwoPhones {
    val a = Phone("a")
    a.setUp("Caritas Kikwit")
    val code = handoverScreenedCase(a)
    val b = Phone("b")
    b.setUp(receiverName)
    val receive = b.launch(HandoverReceiveActivity::class.java)
    val key = requireNotNull(receive.keyText) { "no key on the receiving screen" }
    if (consented) {
        a.install()
        a.unlockAgain()
        val vault = a.state.requireVault()
        vault.recordConsent(code, ConsentPurpose.HANDOVER, vault.checkReceiver(key).consentTarget)
    }
    return TwoPhones(a, code, b, receive, key)
}

/** A case on [phone] with a finished interview (the golden draft), through the bindings. */
private fun handoverScreenedCase(phone: Phone): String {
    phone.install()
    val vault = phone.state.requireVault()
    val code = vault.createCase()
    val draft = File(repo, "tests/vectors/screen/interview-fr-adult-djibouti-domestic.draft.json").readText()
    Interview.resume(draft).use {
        it.finish()
        vault.saveResult(code, it)
    }
    return code
}

/** The bitmaps of the image views on screen. */
private fun shownBitmaps(activity: android.app.Activity): List<Bitmap> =
    activity.views().filterIsInstance<ImageView>().mapNotNull { (it.drawable as? BitmapDrawable)?.bitmap }

/** A matrix as the camera sees it: dark modules 0, light 255, a quiet zone, [modulePx] pixels per module. */
internal fun handoverLuma(matrix: QrMatrix, modulePx: Int): ByteArray {
    val size = matrix.size.toInt()
    val side = QrBitmaps.span(matrix) * modulePx
    val out = ByteArray(side * side) { 0xFF.toByte() }
    for (y in 0 until size) for (x in 0 until size) {
        if (matrix.modules[y * size + x].toInt() == 1) {
            for (dy in 0 until modulePx) for (dx in 0 until modulePx) {
                out[((y + QrBitmaps.QUIET) * modulePx + dy) * side + (x + QrBitmaps.QUIET) * modulePx + dx] = 0
            }
        }
    }
    return out
}

/** A bitmap's brightness, as the camera's Y plane would give it. */
private fun handoverLuma(bitmap: Bitmap): ByteArray {
    val pixels = IntArray(bitmap.width * bitmap.height)
    bitmap.getPixels(pixels, 0, bitmap.width, 0, 0, bitmap.width, bitmap.height)
    return ByteArray(pixels.size) { i -> if (Color.red(pixels[i]) < 128) 0 else 0xFF.toByte() }
}
