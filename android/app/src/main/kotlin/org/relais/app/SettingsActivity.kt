package org.relais.app

import org.relais.core.VaultException
import org.relais.core.languages
import org.relais.core.wipeVault

/**
 * Settings: the language (the core's languages, each named in itself), the lock timeout, the
 * passphrase and the duress passphrase, and the panic wipe.
 */
class SettingsActivity : BaseActivity() {
    private var message: String? = null

    override fun render() {
        val page = page()
        page.title(t("app.settings.title"))
        message?.let { page.banner(it, danger = false) }

        page.heading(t("app.settings.language"))
        for (info in languages()) {
            val current = info.language == state.language
            page.button(if (current) "✓ ${info.name}" else info.name, primary = current) {
                state.language = info.language
                message = null
                render()
            }
        }

        page.heading(t("app.settings.timeout", "minutes" to state.lockTimeoutMinutes.toString()))
        for (minutes in TIMEOUTS) {
            val current = minutes == state.lockTimeoutMinutes
            val label = t("app.settings.minutes", "minutes" to minutes.toString())
            page.button(if (current) "✓ $label" else label, primary = current) {
                state.lockTimeoutMinutes = minutes
                render()
            }
        }

        page.heading(t("app.settings.passphrase"))
        val fresh = page.field(t("app.settings.new_passphrase"), Field.PASSPHRASE)
        val again = page.field(t("app.setup.confirm"), Field.PASSPHRASE)
        page.button(t("app.settings.passphrase")) {
            rekey(fresh.text.toString(), again.text.toString()) { vault.changePassphrase(it, state.keyProvider) }
        }

        page.heading(t("app.settings.duress"))
        page.muted(t("app.settings.duress_help"))
        val duress = page.field(t("app.settings.duress_passphrase"), Field.PASSPHRASE)
        val duressAgain = page.field(t("app.setup.confirm"), Field.PASSPHRASE)
        page.button(t("app.settings.duress")) {
            rekey(duress.text.toString(), duressAgain.text.toString()) {
                vault.setDuressPassphrase(it, state.keyProvider)
            }
        }

        page.heading(t("app.settings.wipe"))
        page.button(t("app.settings.wipe"), danger = true) {
            confirm(t("app.settings.wipe_confirm"), t("app.settings.wipe")) { wipe() }
        }
        show(page)
    }

    private fun rekey(first: String, second: String, apply: (String) -> Unit) {
        if (first != second) {
            message = t("app.setup.mismatch")
            render()
            return
        }
        // Re-keying derives a new key (about half a second): off the UI thread.
        Work.run({ apply(first) }) { outcome ->
            val error = outcome.exceptionOrNull()
            if (error is VaultException.Locked || !state.isUnlocked) {
                toUnlock()
                return@run
            }
            message = when (error) {
                null -> t("app.settings.saved")
                is VaultException.WeakPassphrase -> t("app.setup.weak", "min" to error.minLength.toString())
                is VaultException.GuessablePassphrase -> guessable(error.weakness)
                is VaultException.DuressSameAsPassphrase -> t("app.settings.duress_same")
                else -> t("app.error.unexpected")
            }
            render()
        }
    }

    /** The panic wipe: every key and record, and the files; back to set-up. */
    private fun wipe() {
        state.lock()
        runCatching { wipeVault(state.vaultPath) }
        toUnlock()
    }

    companion object {
        val TIMEOUTS = listOf(1, 2, 5, 10)
    }
}
