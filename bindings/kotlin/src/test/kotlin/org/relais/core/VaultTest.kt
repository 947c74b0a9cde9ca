package org.relais.core

import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class VaultTest {
    private val secret = "keystore-secret".toByteArray()

    @Test
    fun `a vault created with a Kotlin key provider unlocks with the same passphrase and secret`() {
        val path = tempVaultPath()
        val provider = FixedSecret(secret)
        val code = Vault.create(path, PASS, provider, fastSettings()).use { vault ->
            vault.addNote(vault.createCase(), "Revoir mardi").let { }
            vault.listCases().single().code!!
        }
        assertTrue(provider.calls >= 1, "the platform secret was asked for")
        assertEquals(VaultStatus(exists = true, failedUnlocks = 0u, maxFailedUnlocks = 10u), vaultStatus(path))
        Vault.unlock(path, PASS, FixedSecret(secret)).use { vault ->
            val case = vault.caseDetail(code)
            assertEquals("Revoir mardi", case.entries.single().note)
        }
        // The same passphrase with another device's secret does not open it: a copied file is useless.
        assertFailsWith<VaultException.WrongPassphrase> { Vault.unlock(path, PASS, FixedSecret("other".toByteArray())) }
        // Nothing readable in the file.
        val bytes = File(path).readBytes().toString(Charsets.ISO_8859_1)
        assertFalse("Revoir mardi" in bytes || code in bytes)
    }

    @Test
    fun `a wrong passphrase is counted and says how many attempts remain`() {
        val path = tempVaultPath()
        Vault.create(path, PASS, FixedSecret(secret), fastSettings(maxFailed = 5u)).close()
        val e = assertFailsWith<VaultException.WrongPassphrase> { Vault.unlock(path, "wrong passphrase", FixedSecret(secret)) }
        assertEquals(4u, e.remaining)
        assertEquals(1u, vaultStatus(path).failedUnlocks)
        Vault.unlock(path, PASS, FixedSecret(secret)).close()
        assertEquals(0u, vaultStatus(path).failedUnlocks, "a success resets the counter")
        assertFailsWith<VaultException.WeakPassphrase> { Vault.create(tempVaultPath(), "short", FixedSecret(secret), fastSettings()) }
        val guessable = assertFailsWith<VaultException.GuessablePassphrase> {
            Vault.create(tempVaultPath(), "123456", FixedSecret(secret), fastSettings())
        }
        assertEquals(PassphraseWeakness.SEQUENCE, guessable.weakness)
        assertFailsWith<VaultException.Exists> { Vault.create(path, PASS, FixedSecret(secret), fastSettings()) }
        assertFailsWith<VaultException.NotFound> { Vault.unlock(tempVaultPath(), PASS, FixedSecret(secret)) }
    }

    @Test
    fun `a keystore that refuses surfaces as DeviceKeyUnavailable, not a crash`() {
        val path = tempVaultPath()
        Vault.create(path, PASS, FixedSecret(secret), fastSettings()).close()
        val refusing = object : KeyProvider {
            override fun platformSecret(): ByteArray = throw KeyProviderException.Unavailable("user cancelled")
        }
        val e = assertFailsWith<VaultException.DeviceKeyUnavailable> { Vault.unlock(path, PASS, refusing) }
        assertTrue("user cancelled" in e.reason)
        val crashing = object : KeyProvider {
            override fun platformSecret(): ByteArray = throw IllegalStateException("keystore bug")
        }
        assertFailsWith<VaultException.DeviceKeyUnavailable> { Vault.unlock(path, PASS, crashing) }
        assertEquals(0u, vaultStatus(path).failedUnlocks, "a missing device key is not a wrong passphrase")
    }

    @Test
    fun `locking zeroizes the keys and later calls throw Locked`() {
        newVault("Maison Lisanga").use { vault ->
            vault.createCase()
            assertFalse(vault.isLocked())
            vault.lock()
            assertTrue(vault.isLocked())
            assertFailsWith<VaultException.Locked> { vault.listCases() }
            vault.lock() // twice is harmless
        }
    }

    @Test
    fun `passphrase change, duress passphrase and the panic wipe`() {
        val path = tempVaultPath()
        Vault.create(path, PASS, FixedSecret(secret), fastSettings()).use { vault ->
            vault.createCase()
            vault.changePassphrase("a new long passphrase", FixedSecret(secret))
            vault.setDuressPassphrase("under duress 1234", FixedSecret(secret))
            assertFailsWith<VaultException.DuressSameAsPassphrase> {
                vault.setDuressPassphrase("a new long passphrase", FixedSecret(secret))
            }
        }
        assertFailsWith<VaultException.WrongPassphrase> { Vault.unlock(path, PASS, FixedSecret(secret)) }
        Vault.unlock(path, "a new long passphrase", FixedSecret(secret)).use { assertEquals(1, it.listCases().size) }
        // The duress passphrase opens an empty vault: the cases are gone for good.
        Vault.unlock(path, "under duress 1234", FixedSecret(secret)).use { assertEquals(0, it.listCases().size) }
        assertFailsWith<VaultException.WrongPassphrase> { Vault.unlock(path, "a new long passphrase", FixedSecret(secret)) }
        wipeVault(path)
        assertFalse(vaultStatus(path).exists)
    }
}
