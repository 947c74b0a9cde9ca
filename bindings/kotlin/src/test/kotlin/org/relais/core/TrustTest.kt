package org.relais.core

import org.relais.testing.TestCoordinator
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
 * tampered, older and foreign directories leaving the one in use, remembered receivers.
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
}
