package org.relais.core

import org.json.JSONArray
import org.json.JSONObject
import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlin.test.fail

/** The repository root (set by the pom), for the golden vectors under tests/vectors/. */
val repo: File = File(System.getProperty("relais.repo") ?: "../..")

fun vector(name: String): String = File(repo, "tests/vectors/screen/$name").readText()

const val PASS = "correct horse 42"

/** A tiny key derivation so that tests run fast; refused by release builds of the library. */
fun fastSettings(maxFailed: UInt = 10u) = VaultSettings(
    maxFailedUnlocks = maxFailed,
    retentionDays = null,
    unlockTargetMs = 0u,
    insecureFastKdfForTests = true,
)

/** The platform secret as an Android Keystore or iOS Keychain provider would return it. */
class FixedSecret(private val secret: ByteArray) : KeyProvider {
    var calls = 0
        private set

    override fun platformSecret(): ByteArray {
        calls++
        return secret.copyOf()
    }
}

fun tempVaultPath(): String {
    val dir = Files.createTempDirectory("relais-jvm").toFile()
    dir.deleteOnExit()
    return File(dir, "vault.db").path
}

/** A fresh vault with a Kotlin key provider; the caller closes it. */
fun newVault(organisation: String, path: String = tempVaultPath()): Vault {
    val vault = Vault.create(path, PASS, FixedSecret("device-$organisation".toByteArray()), fastSettings())
    vault.setOrganisation(organisation)
    return vault
}

/**
 * Walks an interview screen by screen, answering from a golden draft's answers the way a worker
 * taps them: yes/no and choices by option id, numbers, dates and texts typed. Questions the draft
 * does not answer are skipped (or "don't know" when required). Returns the review screen and the
 * question ids in the order they were shown.
 */
fun walk(interview: Interview, draftJson: String, maxSteps: Int = 400): Pair<Screen, List<String>> {
    val draft = JSONObject(draftJson)
    val answers = draft.getJSONObject("answers")
    val skipped = draft.optJSONArray("skipped")?.map { it as String }?.toSet() ?: emptySet()
    val shown = mutableListOf<String>()
    var screen = interview.screen()
    repeat(maxSteps) {
        if (screen.kind == ScreenKind.REVIEW) return screen to shown
        val q = assertNotNull(screen.question, "a question screen has a question")
        shown += q.id
        assertTrue(q.prompt.isNotBlank(), "question ${q.id} has a prompt")
        assertEquals(shown.size.toUInt(), screen.progress.position, "progress follows the questions")
        val special = q.specialOptions.map { it.id }
        screen = when {
            q.id in skipped -> interview.skip()
            !answers.has(q.id) -> if (q.required) interview.choose(listOf("dont_know")) else interview.skip()
            else -> {
                val a = answers.get(q.id)
                when {
                    a is String && a in special -> interview.choose(listOf(a))
                    q.answerType == AnswerType.MULTI -> interview.choose((a as JSONArray).map { it as String })
                    q.answerType == AnswerType.YES_NO || q.answerType == AnswerType.SINGLE ->
                        interview.choose(listOf(a as String))
                    else -> interview.answerText(a.toString())
                }
            }
        }
        assertTrue(screen.errors.isEmpty(), "answer to ${q.id} refused: ${screen.errors}")
    }
    fail("the interview did not reach its review in $maxSteps steps")
}

/** Answers a form from a golden draft through its screens and finishes it. */
fun runDraft(vectorName: String): Pair<Interview, FormResultView> {
    val json = vector(vectorName)
    val draft = JSONObject(json)
    val language = Language.valueOf(draft.getString("language").uppercase())
    val age = draft.optJSONObject("context")?.optInt("age", -1)?.takeIf { it >= 0 }?.toUInt()
    val interview = Interview(draft.getString("form"), language, age)
    val current = forms(language).first { it.id == draft.getString("form") }.version
    assertEquals(current, draft.getInt("form_version").toUInt(), "$vectorName walks the current form version")
    val (review, _) = walk(interview, json)
    assertTrue(review.canFinish, "review allows finishing: ${review.review}")
    return interview to interview.finish()
}
