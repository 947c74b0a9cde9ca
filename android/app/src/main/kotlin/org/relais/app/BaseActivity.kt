package org.relais.app

import android.app.Activity
import android.app.AlertDialog
import android.content.Intent
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import android.view.View
import android.view.Window
import android.view.WindowManager
import org.relais.core.Direction
import org.relais.core.Vault
import org.relais.core.VaultException
import org.relais.core.languages
import org.relais.core.uiText
import org.relais.core.uiTextWith

/**
 * What every screen of the app does: a secure window (no screenshots, no thumbnail in recent
 * apps), the language's direction, texts from the core's catalogue, and the lock — a screen that
 * needs the vault goes back to unlocking when the vault is locked or the timeout has passed.
 */
abstract class BaseActivity : Activity() {
    protected lateinit var state: AppState
        private set

    /** Screens before unlocking (set-up, unlock) say false. */
    protected open val needsVault: Boolean = true

    /** The handover screens say true: codes are shown or scanned for a minute or more. */
    protected open val keepScreenOn: Boolean = false

    private val handler = Handler(Looper.getMainLooper())
    private val timeoutCheck = object : Runnable {
        override fun run() {
            if (needsVault && state.timedOut()) {
                state.lock()
                toUnlock()
            } else {
                handler.postDelayed(this, TIMEOUT_CHECK_MS)
            }
        }
    }

    private val lockListener = AppState.LockListener { beforeLock() }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        secure(window)
        if (keepScreenOn) window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        state = AppState.get(this)
        state.addLockListener(lockListener)
        if (needsVault && !state.isUnlocked) {
            toUnlock()
            return
        }
        render()
    }

    override fun onResume() {
        super.onResume()
        if (needsVault && (!state.isUnlocked || state.timedOut())) {
            state.lock()
            toUnlock()
            return
        }
        handler.postDelayed(timeoutCheck, TIMEOUT_CHECK_MS)
    }

    override fun onPause() {
        handler.removeCallbacks(timeoutCheck)
        super.onPause()
    }

    override fun onUserInteraction() {
        super.onUserInteraction()
        state.touch()
    }

    override fun onDestroy() {
        if (::state.isInitialized) state.removeLockListener(lockListener)
        super.onDestroy()
    }

    /**
     * Called while the vault is still open, just before it locks (the timeout, leaving the app,
     * "Lock now"), for every screen alive: one with unsaved work (a form in progress) saves it
     * into the vault here.
     */
    protected open fun beforeLock() {}

    /**
     * Runs one vault call for a screen: a locked vault goes back to unlocking; a refusal is told
     * through [tell] in the screen's words (consent missing, an unknown case, [onInvalid] for a
     * refused text, otherwise the generic message); null when it failed.
     */
    protected fun <T> vaultCall(onInvalid: String, tell: (String) -> Unit, call: () -> T): T? = try {
        call()
    } catch (e: VaultException.Locked) {
        toUnlock()
        null
    } catch (e: VaultException.ConsentRequired) {
        tell(t("app.referral.consent_required"))
        null
    } catch (e: VaultException.NoSuch) {
        tell(t("app.case.not_found"))
        null
    } catch (e: VaultException.Invalid) {
        tell(onInvalid)
        null
    } catch (e: VaultException) {
        tell(t("app.error.unexpected"))
        null
    }

    /** Builds the screen; called again by [refresh] after a change. */
    protected abstract fun render()

    protected fun refresh() {
        if (needsVault && !state.isUnlocked) toUnlock() else render()
    }

    /** A new page in the current language's direction; [show] puts it on screen. */
    protected fun page(): Page = Page(this)

    protected fun show(page: Page) {
        val rtl = languages().firstOrNull { it.language == state.language }?.direction == Direction.RTL
        page.root.layoutDirection = if (rtl) View.LAYOUT_DIRECTION_RTL else View.LAYOUT_DIRECTION_LTR
        setContentView(page.root)
    }

    protected val vault: Vault get() = state.requireVault()

    /** App text from the core's catalogue, in the chosen language. */
    protected fun t(key: String): String = uiText(state.language, key)

    protected fun t(key: String, vararg args: Pair<String, String>): String =
        uiTextWith(state.language, key, mapOf(*args))

    /** Why a passphrase long enough was refused, and what to choose instead. */
    protected fun guessable(weakness: org.relais.core.PassphraseWeakness): String =
        t("app.setup.guessable." + weakness.name.lowercase())

    protected fun go(target: Class<out Activity>, configure: Intent.() -> Unit = {}) {
        startActivity(Intent(this, target).apply(configure))
    }

    /** Back to unlocking, with nothing of this task left behind. */
    protected fun toUnlock() {
        startActivity(
            Intent(this, UnlockActivity::class.java)
                .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TASK),
        )
        finish()
    }

    /** A confirmation dialog, itself a secure window. */
    protected fun confirm(message: String, yes: String, onYes: () -> Unit) {
        val dialog = AlertDialog.Builder(this)
            .setMessage(message)
            .setPositiveButton(yes) { _, _ -> onYes() }
            .setNegativeButton(t("app.cancel"), null)
            .create()
        dialog.window?.let(::secure)
        dialog.show()
    }

    companion object {
        const val TIMEOUT_CHECK_MS = 10_000L
        const val EXTRA_CASE = "org.relais.app.CASE"
        const val EXTRA_FORM = "org.relais.app.FORM"

        /** FormActivity: continue the form saved in the vault (`Vault.pendingDraft`). */
        const val EXTRA_RESUME = "org.relais.app.RESUME"

        /** No screenshots, no screen recording, no thumbnail in recent apps: on every window. */
        fun secure(window: Window) {
            window.setFlags(WindowManager.LayoutParams.FLAG_SECURE, WindowManager.LayoutParams.FLAG_SECURE)
        }
    }
}
