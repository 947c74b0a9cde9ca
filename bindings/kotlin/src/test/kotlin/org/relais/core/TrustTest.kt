package org.relais.core

import org.relais.testing.TestCoordinator
import org.relais.testing.TestFrames
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * Who a receiver is, through the Kotlin bindings (docs/handover-format.md §1, docs/directory.md):
 * a directory signed here in Kotlin by a test coordinator (the JDK's Ed25519, an implementation of
 * the signing rules independent of the core's), listed receivers and senders, refusals of
 * tampered, older and foreign directories leaving the one in use, remembered receivers; a directory
 * imported from its QR frames (refused when incomplete, changed after signing, not text, or a case),
 * and the trust in a coordinator reset so that a training phone can move to the real directory.
 */
class TrustTest {
    private fun refusal(block: () -> Unit): DirectoryRefusal =
        assertFailsWith<VaultException.Directory> { block() }.refusal

    @Test
    fun `a directory signed in Kotlin lists the receiver, which is shown by its listed name`() {
        val coordinator = TestCoordinator()
        newVault("Caritas Kikwit").use { sender ->
            newVault("Lisanga").use { receiver ->
                val file = coordinator.sign(
                    listOf(
                        TestCoordinator.Listed(receiver.identity().keyHex, "Maison Lisanga"),
                        TestCoordinator.Listed(sender.identity().keyHex, "Caritas Kikwit (équipe mobile)"),
                    ),
                    version = 1,
                )
                // The set-up reads the file, compares the coordinator's number, then trusts it.
                val read = readDirectoryFile(file)
                assertEquals(coordinator.keyHex, read.coordinatorKey)
                assertEquals(coordinator.name, read.coordinatorName)
                for (v in listOf(sender, receiver)) {
                    assertNull(v.directoryStatus())
                    val status = v.importDirectory(file, read.coordinatorKey)
                    assertTrue(status.changed)
                    assertEquals(read.coordinatorFingerprint, status.coordinatorFingerprint)
                    assertEquals(2u, status.organisations)
                    assertEquals(1u, status.services)
                }

                val code = sender.createCase()
                sender.addNote(code, "Parle lingala")
                val key = receiver.openReceiveSession(10u, 939u.toUShort())
                val check = sender.checkReceiver(key.text)
                assertEquals(Verification.LISTED, check.verification)
                assertEquals("Maison Lisanga", check.organisation)
                assertEquals("Lisanga", check.claimed, "the key's own name is kept, never shown as the name")
                assertEquals("Kwilu/Kikwit", check.area)
                assertTrue(check.fictitious)
                assertEquals("Maison Lisanga", check.consentTarget)

                sender.recordConsent(code, ConsentPurpose.HANDOVER, check.consentTarget)
                sender.sendHandover(code, key.text, null, false).use { out ->
                    assertEquals(Verification.LISTED, out.receiver().verification)
                    assertEquals("Maison Lisanga", out.receiverOrganisation())
                    HandoverReceiver().use { scanner ->
                        var seq = 1u
                        while (scanner.progress().status != ScanStatus.COMPLETE && seq < 500u) scanner.scanText(out.frameText(seq++))
                        val got = receiver.receiveHandover(scanner)
                        assertTrue(got.fromVerified)
                        assertEquals("Caritas Kikwit (équipe mobile)", got.fromOrganisation)
                        assertEquals(code, sender.recordAck(got.ackText))
                    }
                }
                // The services of the signed directory are the ones referrals propose from.
                receiver.serviceDirectory()!!.use { assertEquals(listOf("test-shelter-01"), it.services().map { s -> s.id }) }
            }
        }
    }

    @Test
    fun `a tampered, older or foreign directory is refused and the one in use stays`() {
        val coordinator = TestCoordinator()
        newVault("Caritas Kikwit").use { vault ->
            val listed = TestCoordinator.Listed(vault.identity().keyHex, "Caritas Kikwit")
            val v2 = coordinator.sign(listOf(listed), version = 2)
            assertEquals(DirectoryRefusal.NO_COORDINATOR, refusal { vault.importDirectory(v2, null) })
            assertEquals(DirectoryRefusal.BAD_COORDINATOR_KEY, refusal { vault.importDirectory(v2, "not hex") })
            assertFalse(vault.hasCoordinator())
            assertEquals(2uL, vault.importDirectory(v2, coordinator.keyHex).version)
            assertTrue(vault.hasCoordinator())
            assertFalse(vault.importDirectory(v2, null).changed, "the same file again changes nothing")

            // One byte of a listed name changed after signing.
            val v3 = coordinator.sign(listOf(listed), version = 3)
            val tampered = v3.replace("Caritas Kikwit", "Caritas Kikwot")
            assertNotEquals(v3, tampered)
            assertEquals(DirectoryRefusal.BAD_SIGNATURE, refusal { vault.importDirectory(tampered, null) })
            assertEquals(DirectoryRefusal.OLDER, refusal { vault.importDirectory(coordinator.sign(listOf(listed), version = 1), null) })
            assertEquals(DirectoryRefusal.OTHER_COORDINATOR, refusal { vault.importDirectory(TestCoordinator().sign(listOf(listed), version = 9), null) })
            assertEquals(DirectoryRefusal.OTHER_COORDINATOR, refusal { vault.importDirectory(sampleDirectoryFile(), sampleCoordinatorKey()) })
            assertEquals(DirectoryRefusal.INVALID, refusal { vault.importDirectory("{\"format\": \"relais.signed-directory\"}", null) })
            val e = assertFailsWith<VaultException.Directory> { vault.importDirectory(tampered, null) }
            assertTrue(e.reason.isNotBlank())

            val kept = vault.directoryStatus()!!
            assertEquals(2uL, kept.version)
            assertEquals(coordinator.name, kept.coordinatorName)
            assertEquals(3uL, vault.importDirectory(v3, null).version)
        }
    }

    @Test
    fun `the training sample imports with its fictitious coordinator and says so`() {
        newVault("Caritas Kikwit").use { vault ->
            val status = vault.importDirectory(sampleDirectoryFile(), sampleCoordinatorKey())
            assertTrue(status.fictitious)
            assertTrue(status.services > 10u)
            assertEquals(readDirectoryFile(sampleDirectoryFile()).coordinatorFingerprint, status.coordinatorFingerprint)
            assertEquals(6, status.coordinatorFingerprint.split(" ").size)
        }
    }

    @Test
    fun `a receiver verified by its number is remembered, then forgotten`() {
        newVault("Caritas Kikwit").use { sender ->
            newVault("Maison Lisanga").use { receiver ->
                val code = sender.createCase()
                sender.addNote(code, "Parle lingala")
                val key = receiver.openReceiveSession(10u, 939u.toUShort())
                val check = sender.checkReceiver(key.text)
                assertEquals(Verification.NOT_VERIFIED, check.verification)
                assertEquals(key.fingerprint, check.fingerprint, "both screens show the same number")
                val wrong = check.fingerprint.replaceFirst(check.fingerprint[0], if (check.fingerprint[0] == '1') '2' else '1')
                assertFailsWith<VaultException.FingerprintMismatch> { sender.sendHandover(code, key.text, wrong, true) }
                assertTrue(sender.pinnedReceivers().isEmpty())

                sender.recordConsent(code, ConsentPurpose.HANDOVER, check.consentTarget)
                sender.sendHandover(code, key.text, check.fingerprint, true).close()
                val pinned = sender.pinnedReceivers().single()
                assertEquals("Maison Lisanga", pinned.organisation)
                val again = sender.checkReceiver(receiver.openReceiveSession(10u, 939u.toUShort()).text)
                assertEquals(Verification.PINNED, again.verification)
                assertEquals(pinned.pinnedAt, again.pinnedAt)

                sender.forgetReceiver(pinned.fingerprint)
                assertTrue(sender.pinnedReceivers().isEmpty())
                assertFailsWith<VaultException.NoSuch> { sender.forgetReceiver(pinned.fingerprint) }
            }
        }
    }

    private fun scanned(frames: List<String>): HandoverReceiver {
        val receiver = HandoverReceiver()
        for (frame in frames) receiver.scanText(frame)
        return receiver
    }

    @Test
    fun `a directory imports from its QR frames, read before its coordinator is trusted`() {
        val coordinator = TestCoordinator()
        newVault("Caritas Kikwit").use { vault ->
            val file = coordinator.sign(listOf(TestCoordinator.Listed(vault.identity().keyHex, "Caritas Kikwit")), version = 4)
            val frames = directoryFrames(file)
            assertTrue(frames.size > 1, "one loop of frames: the fragments and fountain frames after them")
            assertTrue(frames.all { it.startsWith("RL1:") })

            // Not all the frames yet: refused, nothing trusted or imported.
            scanned(frames.take(1)).use { partial ->
                assertEquals(ScanStatus.RECEIVING, partial.progress().status)
                assertFailsWith<VaultException.Invalid> { partial.directoryFile() }
                assertFailsWith<VaultException.Invalid> { vault.importDirectoryFrames(partial, coordinator.keyHex) }
            }
            assertFalse(vault.hasCoordinator())
            assertNull(vault.directoryStatus())

            // In another order, the first frame lost: the file rebuilt as it was. The first import
            // reads it to compare the coordinator's number, then trusts it.
            scanned(frames.drop(1).reversed()).use { receiver ->
                assertEquals(ScanStatus.COMPLETE, receiver.progress().status)
                val text = receiver.directoryFile()
                assertEquals(file, text)
                val read = readDirectoryFile(text)
                assertEquals(coordinator.keyHex, read.coordinatorKey)
                assertFalse(vault.hasCoordinator(), "reading trusts nothing")
                assertEquals(DirectoryRefusal.NO_COORDINATOR, refusal { vault.importDirectoryFrames(receiver, null) })
                val status = vault.importDirectoryFrames(receiver, read.coordinatorKey)
                assertTrue(status.changed)
                assertEquals(4uL, status.version)
                assertEquals(read.coordinatorFingerprint, status.coordinatorFingerprint)
                assertFalse(vault.importDirectoryFrames(receiver, null).changed, "the same frames again change nothing")
            }
            // Frames made independently of the core, from docs/handover-frames.md, rebuild it too.
            scanned(TestFrames.of(file.toByteArray())).use { assertFalse(vault.importDirectoryFrames(it, null).changed) }
            assertEquals(4uL, vault.directoryStatus()?.version)
        }
    }

    @Test
    fun `frames of a tampered directory, of bytes that are not text, or of a case are refused`() {
        val coordinator = TestCoordinator()
        newVault("Caritas Kikwit").use { vault ->
            newVault("Maison Lisanga").use { other ->
                val listed = listOf(TestCoordinator.Listed(vault.identity().keyHex, "Caritas Kikwit"))
                vault.importDirectory(coordinator.sign(listed, version = 2), coordinator.keyHex)
                fun kept() = assertEquals(2uL, vault.directoryStatus()?.version, "the directory in use stays")

                // Changed after signing: the coordinator's tools refuse to show it, and frames of it
                // made anyway are refused.
                val v3 = coordinator.sign(listed, version = 3)
                val tampered = v3.replace("Caritas Kikwit", "Caritas Kikwot")
                assertEquals(DirectoryRefusal.BAD_SIGNATURE, refusal { directoryFrames(tampered) })
                scanned(TestFrames.of(tampered.toByteArray())).use { receiver ->
                    assertEquals(ScanStatus.COMPLETE, receiver.progress().status)
                    assertEquals(DirectoryRefusal.BAD_SIGNATURE, refusal { vault.importDirectoryFrames(receiver, null) })
                }
                kept()
                // Another coordinator's directory, shown by its own tools.
                scanned(directoryFrames(TestCoordinator().sign(listed, version = 9))).use { receiver ->
                    assertEquals(DirectoryRefusal.OTHER_COORDINATOR, refusal { vault.importDirectoryFrames(receiver, null) })
                }
                // Bytes that are not UTF-8 text.
                scanned(TestFrames.of(byteArrayOf(0xFF.toByte(), 0xFE.toByte(), 0, 0x80.toByte()))).use { receiver ->
                    assertEquals(DirectoryRefusal.INVALID, refusal { vault.importDirectoryFrames(receiver, null) })
                    assertEquals(DirectoryRefusal.INVALID, refusal { receiver.directoryFile() })
                }
                // The frames of a case handed over, scanned on the directory screen by mistake.
                val code = vault.createCase()
                vault.addNote(code, "Parle lingala")
                val key = other.openReceiveSession(10u, 939u.toUShort())
                val check = vault.checkReceiver(key.text)
                vault.recordConsent(code, ConsentPurpose.HANDOVER, check.consentTarget)
                vault.sendHandover(code, key.text, check.fingerprint, false).use { out ->
                    scanned((1u..out.loopLength()).map { out.frameText(it) }).use { receiver ->
                        assertEquals(ScanStatus.COMPLETE, receiver.progress().status)
                        val e = assertFailsWith<VaultException.Directory> { vault.importDirectoryFrames(receiver, null) }
                        assertEquals(DirectoryRefusal.INVALID, e.refusal)
                        assertTrue(e.reason.contains("case handed over"), e.reason)
                        // It is still a case for the receiving phone.
                        assertFalse(other.receiveHandover(receiver).alreadyReceived)
                    }
                }
                kept()
                scanned(directoryFrames(v3)).use { assertEquals(3uL, vault.importDirectoryFrames(it, null).version) }
            }
        }
    }

    @Test
    fun `resetting the trust forgets the directory and its coordinator, and the next import pins another`() {
        val real = TestCoordinator("Secrétariat NRM")
        newVault("Caritas Kikwit").use { vault ->
            newVault("Maison Lisanga").use { other ->
                // A training phone: the fictitious sample, then the real directory is refused.
                vault.importDirectory(sampleDirectoryFile(), sampleCoordinatorKey())
                val file = real.sign(listOf(TestCoordinator.Listed(other.identity().keyHex, "Maison Lisanga")), version = 1, fictitious = false)
                assertEquals(DirectoryRefusal.OTHER_COORDINATOR, refusal { vault.importDirectory(file, real.keyHex) })
                assertTrue(vault.directoryStatus()!!.fictitious)

                vault.resetDirectoryTrust()
                assertFalse(vault.hasCoordinator())
                assertNull(vault.directoryStatus())
                assertNull(vault.serviceDirectory())
                assertTrue(vault.auditLog().any { it.action == "directory.reset" }, "the reset is audited")
                val key = other.openReceiveSession(10u, 939u.toUShort())
                assertEquals(Verification.NOT_VERIFIED, vault.checkReceiver(key.text).verification, "no receiver is verified now")
                assertEquals(DirectoryRefusal.NO_COORDINATOR, refusal { vault.importDirectory(file, null) })

                // The real directory, by its frames, after its coordinator's number was compared.
                scanned(directoryFrames(file)).use { receiver ->
                    val read = readDirectoryFile(receiver.directoryFile())
                    assertFalse(read.fictitious)
                    val status = vault.importDirectoryFrames(receiver, read.coordinatorKey)
                    assertEquals("Secrétariat NRM", status.coordinatorName)
                }
                assertEquals(Verification.LISTED, vault.checkReceiver(key.text).verification)
                assertEquals(DirectoryRefusal.OTHER_COORDINATOR, refusal { vault.importDirectory(sampleDirectoryFile(), sampleCoordinatorKey()) })
                vault.resetDirectoryTrust()
                vault.resetDirectoryTrust()
                assertFalse(vault.hasCoordinator(), "resetting twice is harmless")
            }
        }
    }
}
