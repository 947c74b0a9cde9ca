package org.relais.app

import android.app.Activity
import android.app.Application
import android.content.Context
import android.content.SharedPreferences
import android.os.Bundle
import android.os.Handler
import android.os.Looper
import android.os.SystemClock
import org.relais.core.FormResultView
import org.relais.core.KeyProvider
import org.relais.core.Language
import org.relais.core.Vault
import org.relais.core.VaultSettings
import java.io.File

/**
 * What the app holds while it runs: where the vault is, the unlocked vault (or none), the
 * language and the lock timeout. One per process ([get]); tests [install] their own.
 *
 * Nothing sensitive is kept outside the vault: settings are the language and the timeout; the
 * last result lives in memory only and goes with the lock.
 */
class AppState(
    /** The vault file, in the app's private files (never on external storage). */
    val vaultPath: String,
    private val prefs: SharedPreferences,
    /** The Android Keystore in the app; a fixed secret in tests (Robolectric has no Keystore). */
    val keyProvider: KeyProvider,
    /** Key derivation settings for new vaults; tests use the fast one. */
    val settings: VaultSettings = DEFAULT_SETTINGS,
) {
    /** The unlocked vault, or null when locked. */
    var vault: Vault? = null
        private set

    /** The result just computed, for the result screen; dropped at lock. */
    var lastResult: FormResultView? = null

    /** The case being worked on, for screens reached from it; dropped at lock. */
    var currentCase: String? = null

    private var lastInteraction = SystemClock.elapsedRealtime()

    var language: Language
        get() = prefs.getString(KEY_LANGUAGE, null)?.let { code ->
            Language.entries.firstOrNull { it.name.equals(code, ignoreCase = true) }
        } ?: Language.FR
        set(value) {
            prefs.edit().putString(KEY_LANGUAGE, value.name.lowercase()).apply()
        }

    /** Minutes without a touch before the vault locks itself. */
    var lockTimeoutMinutes: Int
        get() = prefs.getInt(KEY_TIMEOUT, 5)
        set(value) {
            prefs.edit().putInt(KEY_TIMEOUT, value).apply()
        }

    fun vaultExists(): Boolean = File(vaultPath).exists()

    /** Requires an unlocked vault; screens that need one check [isUnlocked] first. */
    fun requireVault(): Vault = vault ?: throw IllegalStateException("the vault is locked")

    val isUnlocked: Boolean get() = vault?.isLocked() == false

    fun opened(vault: Vault) {
        this.vault?.close()
        this.vault = vault
        touch()
    }

    /** Screens with unsaved work, told just before the vault locks (whatever locks it). */
    fun interface LockListener {
        fun beforeLock()
    }

    private val lockListeners = LinkedHashSet<LockListener>()

    fun addLockListener(listener: LockListener) {
        lockListeners.add(listener)
    }

    fun removeLockListener(listener: LockListener) {
        lockListeners.remove(listener)
    }

    /**
     * Locks the vault (its keys are zeroized on the Rust side) and forgets what was on screen.
     * The screens listening save their work first, while the vault is still open.
     */
    fun lock() {
        if (isUnlocked) lockListeners.toList().forEach { it.beforeLock() }
        vault?.let {
            it.lock()
            it.close()
        }
        vault = null
        lastResult = null
        currentCase = null
    }

    fun touch() {
        lastInteraction = SystemClock.elapsedRealtime()
    }

    /** The lock timeout has passed since the last touch. */
    fun timedOut(): Boolean =
        SystemClock.elapsedRealtime() - lastInteraction >= lockTimeoutMinutes * 60_000L

    /**
     * The next screen is the system's own, opened for a result (the file picker choosing a
     * directory file): leaving the app for it does not lock at once, so that the result can be
     * used; the vault still locks [AWAY_GRACE_MS] later if the app has not come back by then, and
     * the lock timeout applies on return as always.
     */
    fun leavingForResult() {
        away = true
    }

    companion object {
        private const val KEY_LANGUAGE = "language"
        private const val KEY_TIMEOUT = "lock_timeout_minutes"
        const val PREFS = "relais"

        val DEFAULT_SETTINGS = VaultSettings(
            maxFailedUnlocks = 10u,
            retentionDays = null,
            unlockTargetMs = 500u,
            insecureFastKdfForTests = false,
        )

        /** How long the app may stay behind a system screen it opened for a result. */
        const val AWAY_GRACE_MS = 60_000L

        private var instance: AppState? = null
        private var watched: Application? = null
        private var startedActivities = 0
        private var away = false
        private val main by lazy { Handler(Looper.getMainLooper()) }
        private val awayTooLong = Runnable { if (startedActivities == 0) instance?.lock() }

        /** Locks when the last activity of the app stops: the app left the screen. */
        private val lifecycle = object : Application.ActivityLifecycleCallbacks {
            override fun onActivityStarted(activity: Activity) {
                startedActivities++
                away = false
                main.removeCallbacks(awayTooLong)
            }

            override fun onActivityStopped(activity: Activity) {
                startedActivities = (startedActivities - 1).coerceAtLeast(0)
                if (startedActivities == 0 && !activity.isChangingConfigurations) {
                    if (away) main.postDelayed(awayTooLong, AWAY_GRACE_MS) else instance?.lock()
                }
            }

            override fun onActivityCreated(activity: Activity, state: Bundle?) {}
            override fun onActivityResumed(activity: Activity) {}
            override fun onActivityPaused(activity: Activity) {}
            override fun onActivitySaveInstanceState(activity: Activity, state: Bundle) {}
            override fun onActivityDestroyed(activity: Activity) {}
        }

        /** The process's state, created on first use over the app's private files and Keystore. */
        fun get(context: Context): AppState {
            val state = instance ?: create(context).also { instance = it }
            watch(context)
            return state
        }

        /** Replaces the process's state (tests: another "phone", another vault). */
        fun install(state: AppState) {
            if (instance !== state) instance?.lock()
            instance = state
            // The activities counted so far belonged to the previous state's screens.
            startedActivities = 0
            away = false
        }

        private fun create(context: Context): AppState {
            val app = context.applicationContext
            return AppState(
                vaultPath = File(app.filesDir, "vault.db").path,
                prefs = app.getSharedPreferences(PREFS, Context.MODE_PRIVATE),
                keyProvider = KeystoreSecret(),
            )
        }

        private fun watch(context: Context) {
            val app = context.applicationContext as? Application ?: return
            if (watched === app) return
            watched?.unregisterActivityLifecycleCallbacks(lifecycle)
            watched = app
            startedActivities = 0
            app.registerActivityLifecycleCallbacks(lifecycle)
        }
    }
}
