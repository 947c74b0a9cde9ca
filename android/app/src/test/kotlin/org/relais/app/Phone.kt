package org.relais.app

import android.app.Activity
import android.content.Context
import android.content.Intent
import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.TextView
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.relais.core.KeyProvider
import org.relais.core.VaultSettings
import org.robolectric.Robolectric
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import java.io.File
import java.nio.file.Files

/** The platform secret as the Keystore would give it (Robolectric has no AndroidKeyStore). */
class FixedSecret(private val secret: String) : KeyProvider {
    override fun platformSecret(): ByteArray = secret.toByteArray()
}

const val PASS = "correct horse 42"

/** The repository root (set by the pom), for the golden vectors. */
val repo: File = File(System.getProperty("relais.repo") ?: "..")

/**
 * One phone running the app: its own private files (vault) and settings. Installing it makes
 * the next activities launched in the test belong to this phone; two phones in one test are two
 * app instances with two vaults.
 */
class Phone(val name: String) {
    private val dir: File = Files.createTempDirectory("relais-phone-$name").toFile().apply { deleteOnExit() }
    val context: Context = RuntimeEnvironment.getApplication()
    val state = AppState(
        vaultPath = File(dir, "vault.db").path,
        prefs = context.getSharedPreferences("relais-$name", Context.MODE_PRIVATE),
        keyProvider = FixedSecret("keystore-$name"),
        settings = VaultSettings(
            maxFailedUnlocks = 10u,
            retentionDays = null,
            unlockTargetMs = 0u,
            insecureFastKdfForTests = true,
        ),
    )

    fun install(): Phone {
        AppState.install(state)
        return this
    }

    /** Launches an activity on this phone (created, started, resumed, visible). */
    fun <T : Activity> launch(type: Class<T>, configure: Intent.() -> Unit = {}): T {
        install()
        val intent = Intent(context, type).apply(configure)
        return Robolectric.buildActivity(type, intent).setup().get()
    }

    /**
     * Makes this phone the one in use again, unlocked through the real screen as its user would
     * (installing another phone, leaving the app or the timeout locked it).
     */
    fun unlockAgain() {
        install()
        if (state.isUnlocked) return
        val unlock = launch(UnlockActivity::class.java)
        unlock.type(unlock.ui("app.unlock.passphrase"), PASS)
        unlock.click(unlock.ui("app.unlock.button"))
        awaitWork()
        assertTrue("$name unlocked again", state.isUnlocked)
    }

    /** Set up through the real screen: organisation and passphrase typed, vault created; on Home. */
    fun setUp(organisation: String = "Caritas Kikwit"): HomeActivity {
        val unlock = launch(UnlockActivity::class.java)
        unlock.type(unlock.ui("app.setup.organisation"), organisation)
        unlock.type(unlock.ui("app.setup.passphrase"), PASS)
        unlock.type(unlock.ui("app.setup.confirm"), PASS)
        unlock.click(unlock.ui("app.setup.create"))
        awaitWork()
        return unlock.follow(HomeActivity::class.java)
    }
}

/** Runs the main looper until no background work is pending and nothing is queued. */
fun awaitWork(timeoutMs: Long = 20_000) {
    val deadline = System.currentTimeMillis() + timeoutMs
    do {
        shadowOf(Looper.getMainLooper()).idle()
        if (Work.pending == 0) break
        Thread.sleep(5)
    } while (System.currentTimeMillis() < deadline)
    if (Work.pending != 0) fail("background work still pending after $timeoutMs ms")
    shadowOf(Looper.getMainLooper()).idle()
}

/** A message from the core's catalogue, in the phone's language (what the screen must show). */
fun Activity.ui(key: String): String = org.relais.core.uiText(AppState.get(this).language, key)

fun Activity.ui(key: String, vararg args: Pair<String, String>): String =
    org.relais.core.uiTextWith(AppState.get(this).language, key, mapOf(*args))

/** Every view on screen, depth first. */
fun Activity.views(): List<View> {
    val out = mutableListOf<View>()
    fun walk(v: View) {
        if (v.visibility != View.VISIBLE) return
        out += v
        if (v is ViewGroup) for (i in 0 until v.childCount) walk(v.getChildAt(i))
    }
    walk(window.decorView)
    return out
}

/** Every text on screen (labels, buttons, fields' contents). */
fun Activity.texts(): List<String> = views().filterIsInstance<TextView>().map { it.text.toString() }

fun Activity.shows(text: String): Boolean = texts().any { it.contains(text) }

fun Activity.button(label: String): Button =
    views().filterIsInstance<Button>().firstOrNull { it.text.toString() == label }
        ?: throw AssertionError("no button \"$label\" on ${javaClass.simpleName}; buttons: " +
            views().filterIsInstance<Button>().map { it.text })

/** Taps the button labelled [label] and lets the screen settle. */
fun Activity.click(label: String) {
    val b = button(label)
    if (!b.isEnabled) throw AssertionError("button \"$label\" is disabled")
    b.performClick()
    shadowOf(Looper.getMainLooper()).idle()
}

fun Activity.field(hint: String): EditText =
    views().filterIsInstance<EditText>().firstOrNull { it.hint?.toString() == hint }
        ?: throw AssertionError("no field \"$hint\" on ${javaClass.simpleName}; fields: " +
            views().filterIsInstance<EditText>().map { it.hint })

fun Activity.type(hint: String, text: String) {
    field(hint).setText(text)
}

fun Activity.check(label: String) {
    val box = views().filterIsInstance<CheckBox>().firstOrNull { it.text.toString() == label }
        ?: throw AssertionError("no checkbox \"$label\"")
    if (!box.isChecked) box.performClick()
}

/**
 * The activity this one started, launched the way Android would (same phone): asserts it is a
 * [type] and returns it created, started and resumed.
 */
fun <T : Activity> Activity.follow(type: Class<T>): T {
    val intent = shadowOf(this).nextStartedActivity
    assertNotNull("${javaClass.simpleName} started no activity", intent)
    if (intent.component?.className != type.name) {
        throw AssertionError("${javaClass.simpleName} started ${intent.component?.className}, not ${type.name}")
    }
    return Robolectric.buildActivity(type, intent).setup().get()
}
