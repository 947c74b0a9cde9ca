package org.relais.app

import android.content.Intent
import org.relais.core.Vault
import org.relais.core.VaultException
import org.relais.core.wipeVault

/**
 * The app's entry: on first run, setting up the vault (organisation, passphrase or PIN typed
 * twice); afterwards, unlocking it. A wrong passphrase says how many attempts remain before the
 * vault erases itself; the duress passphrase, typed here like the real one, silently erases
 * everything and opens an empty vault (the core does it; nothing on screen differs).
 */
class UnlockActivity : BaseActivity() {
    override val needsVault = false

    private var message: String? = null
    private var busy = false

    override fun render() {
        if (state.isUnlocked) {
            home()
            return
        }
        if (state.vaultExists()) unlockPage() else setupPage()
    }

    private fun setupPage() {
        val page = page()
        page.title(t("app.setup.title"))
        page.body(t("app.setup.intro"))
        val organisation = page.field(t("app.setup.organisation"))
        val pass = page.field(t("app.setup.passphrase"), Field.PASSPHRASE)
        val again = page.field(t("app.setup.confirm"), Field.PASSPHRASE)
        message?.let { page.banner(it) }
        page.button(if (busy) t("app.working") else t("app.setup.create"), primary = true) {
            if (busy) return@button
            val first = pass.text.toString()
            when {
                organisation.text.isBlank() -> fail(t("app.setup.organisation_missing"))
                first != again.text.toString() -> fail(t("app.setup.mismatch"))
                else -> create(organisation.text.toString().trim(), first)
            }
        }
        show(page)
    }

    private fun create(organisation: String, passphrase: String) {
        busy = true
        message = null
        render()
        Work.run({
            val vault = Vault.create(state.vaultPath, passphrase, state.keyProvider, state.settings)
            try {
                vault.setOrganisation(organisation)
            } catch (e: VaultException) {
                vault.close()
                throw e
            }
            vault
        }) { outcome ->
            busy = false
            outcome.onSuccess { opened(it) }.onFailure { failed(it) }
        }
    }

    private fun unlockPage() {
        val page = page()
        page.title(t("app.unlock.title"))
        val pass = page.field(t("app.unlock.passphrase"), Field.PASSPHRASE)
        message?.let { page.banner(it) }
        page.button(if (busy) t("app.working") else t("app.unlock.button"), primary = true) {
            if (!busy) unlock(pass.text.toString())
        }
        show(page)
    }

    private fun unlock(passphrase: String) {
        busy = true
        message = null
        render()
        Work.run({ Vault.unlock(state.vaultPath, passphrase, state.keyProvider) }) { outcome ->
            busy = false
            outcome.onSuccess { opened(it) }.onFailure { failed(it) }
        }
    }

    private fun opened(vault: Vault) {
        state.opened(vault)
        home()
    }

    private fun home() {
        startActivity(Intent(this, HomeActivity::class.java))
        finish()
    }

    private fun failed(error: Throwable) {
        val text = when (error) {
            is VaultException.WrongPassphrase -> t("app.unlock.wrong", "remaining" to error.remaining.toString())
            is VaultException.TooSoon -> t("app.unlock.too_soon", "seconds" to error.seconds.toString())
            is VaultException.Erased -> {
                // Nothing is left to open: clear the remains so that set-up can start again.
                runCatching { wipeVault(state.vaultPath) }
                t("app.unlock.erased")
            }
            is VaultException.WeakPassphrase -> t("app.setup.weak", "min" to error.minLength.toString())
            is VaultException.GuessablePassphrase -> guessable(error.weakness)
            is VaultException.DeviceKeyUnavailable -> t("app.unlock.device_key")
            is VaultException.NotAVault, is VaultException.Tampered -> t("app.unlock.damaged")
            else -> t("app.error.unexpected")
        }
        fail(text)
    }

    private fun fail(text: String) {
        message = text
        render()
    }
}
