package org.relais.app

import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import org.relais.core.KeyProvider
import org.relais.core.KeyProviderException
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.KeyGenerator
import javax.crypto.Mac
import javax.crypto.SecretKey

/**
 * The vault's platform secret, from the Android Keystore: an HMAC-SHA256 key generated inside the
 * Keystore (in the TEE or StrongBox where the phone has one) that never leaves it, applied to a
 * fixed label. The same 32 bytes come back every time on this phone, and a copy of the vault
 * file is useless anywhere else. Uninstalling the app deletes the key, and with it the vault.
 */
class KeystoreSecret(private val alias: String = ALIAS) : KeyProvider {
    override fun platformSecret(): ByteArray = try {
        val store = KeyStore.getInstance(KEYSTORE).apply { load(null) }
        val key = store.getKey(alias, null) as SecretKey? ?: generate()
        Mac.getInstance("HmacSHA256").run {
            init(key)
            doFinal(LABEL)
        }
    } catch (e: GeneralSecurityException) {
        // The exception's class says what went wrong; its message may name the alias only.
        throw KeyProviderException.Unavailable("Android Keystore: ${e.javaClass.simpleName}")
    } catch (e: java.io.IOException) {
        throw KeyProviderException.Unavailable("Android Keystore: ${e.javaClass.simpleName}")
    }

    private fun generate(): SecretKey =
        KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_HMAC_SHA256, KEYSTORE).run {
            init(KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_SIGN).build())
            generateKey()
        }

    companion object {
        const val KEYSTORE = "AndroidKeyStore"
        const val ALIAS = "relais-vault"
        private val LABEL = "relais vault platform secret v1".toByteArray()
    }
}
