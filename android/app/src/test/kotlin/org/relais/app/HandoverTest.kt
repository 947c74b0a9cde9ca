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
import org.relais.core.decodeQrLuma
import org.relais.core.qrMatrix
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
    fun aCaseGoesFromOnePhoneToTheOtherWithConsentTheSameCodeOnBothScreensAndAnAcknowledgement() {
        // The receiving phone shows its key.
        val (a, code, b, receive, key) = twoPhones(consented = false)
        assertTrue(receive.shows(receive.ui("app.handover.receiving_as", "organisation" to "Maison Lisanga")))
        assertTrue(receive.shows(receive.ui("app.handover.valid_for", "minutes" to "10")))
        assertTrue(receive.shows(receive.ui("app.handover.waiting")))

        // The worker scans it; the person has not agreed yet: the screen asks about the
        // organisation the key names.
        a.unlockAgain()
        val send = a.launch(HandoverSendActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        assertTrue(send.shows(send.ui("app.handover.scan_key")))
        send.onScanned(key)
        assertTrue(send.texts().toString(), send.shows(send.ui("app.handover.consent_missing")))
        assertTrue(send.shows(send.ui("app.handover.consent_question", "organisation" to "Maison Lisanga")))
        assertNull(send.sas)
        send.click(send.ui("app.handover.consent_yes"))
        awaitWork()

        val sas = requireNotNull(send.sas) { "no code on the sending screen: ${send.texts()}" }
        assertTrue(send.shows(sas))
        assertTrue(send.shows(send.ui("app.handover.sas_send")))
        assertTrue(send.shows(send.ui("app.handover.to", "organisation" to "Maison Lisanga")))
        val frames = send.frameTexts()
        assertTrue(frames.size > 1)
        assertTrue(send.shows(send.ui("app.handover.frame", "index" to "1", "count" to frames.size.toString())))
        assertTrue("a frame is drawn", shownBitmaps(send).isNotEmpty())

        // The receiving camera misses every third frame of the first loop, then reads on.
        b.unlockAgain()
        for ((i, frame) in (frames + frames + frames).withIndex()) {
            if (receive.ackText != null) break
            if (i < frames.size && i % 3 == 2) continue
            receive.onFrameText(frame)
        }
        val ack = requireNotNull(receive.ackText) { "not received: ${receive.texts()}" }
        assertTrue(receive.texts().toString(), receive.shows(sas))
        assertTrue(receive.shows(receive.ui("app.handover.sas_receive")))
        assertTrue(receive.shows(receive.ui("app.handover.from", "organisation" to "Caritas Kikwit")))
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
        val frame = a.state.requireVault().sendHandover(code, key).use { it.frame(1u) }
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
        assertTrue(send.shows(send.ui("app.handover.consent_question", "organisation" to "Maison Lisanga")))
        send.click(send.ui("app.handover.consent_no"))
        awaitWork()

        assertTrue(send.shows(send.ui("app.handover.not_sent")))
        assertNull(send.sas)
        assertEquals(emptyList<String>(), send.frameTexts())
        assertTrue("no frame on screen", shownBitmaps(send).isEmpty())
        send.onScanned(key) // a late scan changes nothing
        assertTrue(send.shows(send.ui("app.handover.not_sent")))
        val entries = a.state.requireVault().caseDetail(code).entries
        assertTrue(entries.none { it.kind == EntryKind.CUSTODY })
        assertTrue(entries.none { it.kind == EntryKind.CONSENT })
    }

    @Test
    fun aDamagedKeyIsRefusedAndAConsentGivenEarlierSendsStraightAway() {
        val (a, code, _, _, key) = twoPhones(consented = true)

        a.unlockAgain()
        val send = a.launch(HandoverSendActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        // One character changed in the middle: the key's signature no longer holds.
        val middle = key.length / 2
        val damaged = key.substring(0, middle) + (if (key[middle] == 'A') 'B' else 'A') + key.substring(middle + 1)
        send.onScanned(damaged)
        assertTrue(send.texts().toString(), send.shows(send.ui("app.handover.key_refused")))
        assertTrue("the camera keeps scanning", send.shows(send.ui("app.handover.scan_key")))
        assertNull(send.sas)
        assertTrue(shownBitmaps(send).isEmpty())
        assertTrue(a.state.requireVault().caseDetail(code).entries.none { it.kind == EntryKind.CUSTODY })

        // The real key: the consent recorded earlier covers it, no question is asked again.
        send.onScanned(key)
        awaitWork()
        assertFalse(send.shows(send.ui("app.handover.consent_question", "organisation" to "Maison Lisanga")))
        assertNotNull(send.sas)
        assertTrue(send.shows(send.sas!!))
        val consents = a.state.requireVault().caseDetail(code).entries.filter { it.kind == EntryKind.CONSENT }
        assertEquals("no second consent record", 1, consents.size)
    }

    @Test
    fun qrBitmapsHaveAQuietZoneWholePixelsPerModuleAndBlackModules() {
        val matrix = qrMatrix("RLA1:HANDOVER TEST")
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
        send.onScanned("RLK1:ANYTHING")
        assertNull(send.sas)
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

/** [TwoPhones], the person's consent to the shelter recorded first when [consented]. */
private fun twoPhones(consented: Boolean): TwoPhones {
    val a = Phone("a")
    a.setUp("Caritas Kikwit")
    val code = handoverScreenedCase(a)
    if (consented) a.state.requireVault().recordConsent(code, ConsentPurpose.HANDOVER, "Maison Lisanga")
    val b = Phone("b")
    b.setUp("Maison Lisanga")
    val receive = b.launch(HandoverReceiveActivity::class.java)
    val key = requireNotNull(receive.keyText) { "no key on the receiving screen" }
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
private fun handoverLuma(matrix: QrMatrix, modulePx: Int): ByteArray {
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
