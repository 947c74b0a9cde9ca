package org.relais.core

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class HandoverTest {
    /** A case screened on the sender's phone, with the person's consent to handing it over to [to]. */
    private fun caseToSend(vault: Vault, to: String?): String {
        val code = vault.createCase()
        val (interview, _) = runDraft("interview-v2-fr-adult-djibouti-domestic-servitude.draft.json")
        interview.use { vault.saveResult(code, it) }
        vault.addNote(code, "Parle lingala et français")
        if (to != null) vault.recordConsent(code, ConsentPurpose.HANDOVER, to)
        return code
    }

    /**
     * Seals [code] to [keyText], a receiver no directory lists: its fingerprint as both screens
     * show it, and the consent naming that receiver with it.
     */
    private fun sendUnlisted(sender: Vault, code: String, keyText: String): HandoverSender {
        val check = sender.checkReceiver(keyText)
        assertEquals(Verification.NOT_VERIFIED, check.verification)
        sender.recordConsent(code, ConsentPurpose.HANDOVER, check.consentTarget)
        return sender.sendHandover(code, keyText, check.fingerprint, false)
    }

    @Test
    fun `a case goes from one vault to another through frame texts, with losses, and is acknowledged`() {
        newVault("Caritas Kikwit").use { sender ->
            newVault("Maison Lisanga").use { receiverVault ->
                val code = caseToSend(sender, null)
                val key = receiverVault.openReceiveSession(10u, 939u.toUShort())
                assertEquals("Maison Lisanga", key.organisation)
                assertEquals(key.qr.size * key.qr.size, key.qr.modules.size.toUInt())
                assertTrue(key.text.startsWith("RLK2:"))
                assertEquals(receiverVault.identity().fingerprint, key.fingerprint)

                sendUnlisted(sender, code, key.text).use { out ->
                    assertEquals("Maison Lisanga", out.receiverOrganisation())
                    assertTrue(out.loopLength() > out.framesNeeded())
                    HandoverReceiver().use { scanner ->
                        // The camera misses every third frame; the loop runs on until the case is whole.
                        var seq = 1u
                        var progress = scanner.progress()
                        assertEquals(ScanStatus.WAITING, progress.status)
                        while (progress.status != ScanStatus.COMPLETE && seq < 200u) {
                            if (seq % 3u != 0u) progress = scanner.scanText(out.frameText(seq))
                            seq++
                        }
                        assertEquals(ScanStatus.COMPLETE, progress.status)
                        assertEquals(100u, progress.percent)
                        // The sender keeps showing frames: harmless.
                        scanner.scanText(out.frameText(seq))

                        val got = receiverVault.receiveHandover(scanner)
                        assertEquals("Caritas Kikwit", got.fromOrganisation)
                        assertFalse(got.fromVerified, "the receiver has no directory: a claimed name")
                        assertEquals(sender.identity().fingerprint, got.fromFingerprint)
                        assertTrue(got.ackText.startsWith("RLA2:"))
                        assertFalse(got.alreadyReceived)
                        assertEquals(code, sender.recordAck(got.ackText))

                        val arrived = receiverVault.caseDetail(got.caseCode)
                        assertTrue(arrived.imported)
                        val screening = arrived.entries.first { it.kind == EntryKind.SCREENING }
                        assertEquals("interview", screening.formId)
                        assertTrue(arrived.entries.any { it.note == "Parle lingala et français" })
                        // Importing the same envelope again changes nothing.
                        assertTrue(receiverVault.importEnvelope(out.envelope()).alreadyReceived)
                        assertEquals(1, receiverVault.listCases().size)
                    }
                }
                val custody = sender.caseDetail(code).entries.filter { it.kind == EntryKind.CUSTODY }
                assertEquals(listOf("sent", "acknowledged"), custody.map { it.custodyEvent })
                assertTrue(custody.all { it.organisation == "Maison Lisanga" })
            }
        }
    }

    @Test
    fun `bad frames, bad keys and early imports are refused and change nothing`() {
        newVault("Caritas Kikwit").use { sender ->
            newVault("Maison Lisanga").use { receiverVault ->
                val code = caseToSend(sender, "Maison Lisanga")
                HandoverReceiver().use { scanner ->
                    assertFailsWith<HandoverException.InvalidFrame> { scanner.scanText("HELLO WORLD") }
                    assertFailsWith<HandoverException.InvalidFrame> { scanner.scanText("RL1:ZZZZ") }
                    assertEquals(2u, scanner.progress().refused)
                    val e = assertFailsWith<VaultException.Invalid> { receiverVault.receiveHandover(scanner) }
                    assertTrue("incomplete" in e.reason)
                }
                val old = assertFailsWith<VaultException.HandoverRefused> { sender.sendHandover(code, "RLK1:NOT A KEY", null, false) }
                assertEquals(HandoverProblem.OLD_FORMAT, old.problem)
                assertEquals(
                    HandoverProblem.DAMAGED,
                    assertFailsWith<VaultException.HandoverRefused> { sender.checkReceiver("RLK2:NOT A KEY") }.problem,
                )
                // Consent was given for "Maison Lisanga" by name only: it does not cover a receiver
                // no directory vouches for, even one of that name.
                val key = receiverVault.openReceiveSession(10u, 939u.toUShort())
                val check = sender.checkReceiver(key.text)
                val unverified = assertFailsWith<VaultException.ReceiverNotVerified> { sender.sendHandover(code, key.text, null, false) }
                assertEquals("Maison Lisanga", unverified.organisation)
                assertEquals(check.fingerprint, unverified.fingerprint)
                val refused = assertFailsWith<VaultException.HandoverConsentRequired> {
                    sender.sendHandover(code, key.text, check.fingerprint, false)
                }
                assertEquals("Maison Lisanga (${check.fingerprint})", refused.organisation, "the receiver as verified, to ask the person about")
                assertFailsWith<VaultException.HandoverRefused> { sender.recordAck("RLA2:NOPE") }
                assertEquals(0, receiverVault.listCases().size)
                assertTrue(sender.caseDetail(code).entries.none { it.kind == EntryKind.CUSTODY })
            }
        }
    }

    @Test
    fun `a frame drawn from its matrix is read back by the core's camera decoder`() {
        newVault("Caritas Kikwit").use { sender ->
            newVault("Maison Lisanga").use { receiverVault ->
                val code = caseToSend(sender, null)
                val key = receiverVault.openReceiveSession(5u, 939u.toUShort())
                sendUnlisted(sender, code, key.text).use { out ->
                    val m = out.frame(1u)
                    assertEquals(out.frameText(1u), m.text)
                    val luma = render(m, modulePx = 4, quiet = 4)
                    HandoverReceiver().use { scanner ->
                        val side = (m.size.toInt() + 8) * 4
                        val progress = scanner.scanLuma(side.toUInt(), side.toUInt(), luma)
                        assertEquals(ScanStatus.RECEIVING, progress.status)
                        assertEquals(1u, progress.received)
                        // A blank camera frame holds no code: nothing changes.
                        val blank = ByteArray(640 * 480) { 0xFF.toByte() }
                        assertEquals(progress, scanner.scanLuma(640u, 480u, blank))
                        assertFailsWith<HandoverException.Qr> { scanner.scanLuma(10u, 10u, ByteArray(5)) }
                    }
                }
            }
        }
    }

    @Test
    fun `the sender reads the receiver's key and the acknowledgement from camera frames`() {
        newVault("Maison Lisanga").use { receiverVault ->
            val key = receiverVault.openReceiveSession(5u, 939u.toUShort())
            val side = (key.qr.size.toInt() + 8) * 3
            val texts = decodeQrLuma(side.toUInt(), side.toUInt(), render(key.qr, modulePx = 3, quiet = 4))
            assertEquals(listOf(key.text), texts)
            assertEquals(emptyList(), decodeQrLuma(320u, 240u, ByteArray(320 * 240) { 0xFF.toByte() }))
            assertFailsWith<HandoverException.Qr> { decodeQrLuma(10u, 10u, ByteArray(3)) }
        }
    }

    /** Draws a matrix as an 8-bit luminance image (dark modules black), as a screen would show it. */
    private fun render(m: QrMatrix, modulePx: Int, quiet: Int): ByteArray {
        val size = m.size.toInt()
        val side = (size + 2 * quiet) * modulePx
        val out = ByteArray(side * side) { 0xFF.toByte() }
        for (y in 0 until size) for (x in 0 until size) {
            if (m.modules[y * size + x] == 1.toByte()) {
                for (dy in 0 until modulePx) for (dx in 0 until modulePx) {
                    out[((y + quiet) * modulePx + dy) * side + (x + quiet) * modulePx + dx] = 0
                }
            }
        }
        return out
    }
}
