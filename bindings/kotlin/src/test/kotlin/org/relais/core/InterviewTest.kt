package org.relais.core

import org.json.JSONObject
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class InterviewTest {
    private fun expected(name: String) = JSONObject(vector(name))

    @Test
    fun `a whole quick check in French through its screens gives the golden result`() {
        val (interview, result) = runDraft("quick-check-v2-fr-dont-know-counts-urgent.draft.json")
        interview.use {
            val want = expected("quick-check-v2-fr-dont-know-counts-urgent.expected.json")
            assertEquals(ResultKind.QUICK_CHECK, result.kind)
            assertEquals(want.getString("outcome"), result.outcomeId)
            assertEquals(want.getJSONArray("red_flags").map { it as String }, result.redFlags.map { it.id })
            assertTrue(result.urgent)
            assertEquals(Language.FR, result.language)
            assertTrue(result.nextSteps.isNotEmpty() && result.explanation.isNotBlank())
        }
    }

    @Test
    fun `a whole quick check in Spanish refers the person`() {
        val (interview, result) = runDraft("quick-check-v2-es-refer.draft.json")
        interview.use {
            assertEquals(expected("quick-check-v2-es-refer.expected.json").getString("outcome"), result.outcomeId)
            assertEquals(Language.ES, result.language)
            assertTrue(result.indicators.isNotEmpty(), "the indicators seen are listed")
        }
    }

    @Test
    fun `a whole interview in Spanish is scored with the ILO rules`() {
        val (interview, result) = runDraft("interview-v2-es-adult-deceived-exploited.draft.json")
        interview.use {
            val want = expected("interview-v2-es-adult-deceived-exploited.expected.json")
            assertEquals(ResultKind.INTERVIEW, result.kind)
            assertEquals(want.getString("outcome"), result.outcomeId)
            assertFalse(result.child)
            val positive = result.dimensions.filter { it.positive }.map { it.id }.sorted()
            assertEquals(want.getJSONArray("positive").map { it as String }.sorted(), positive)
            // Every indicator names the questions that evidenced it: the result is explainable.
            assertTrue(result.dimensions.flatMap { it.indicators }.all { it.evidence.isNotEmpty() })
            assertTrue(result.json.contains("\"possible_trafficking\"") == (result.outcomeId == "possible_trafficking"))
        }
    }

    @Test
    fun `a whole interview of a child in English follows the child branch`() {
        val (interview, result) = runDraft("interview-v2-en-child-fishing.draft.json")
        interview.use {
            val want = expected("interview-v2-en-child-fishing.expected.json")
            assertEquals(want.getString("outcome"), result.outcomeId)
            assertEquals(want.getString("subject") == "child", result.child)
            assertEquals(Language.EN, result.language)
        }
    }

    @Test
    fun `an interview cut short says it is incomplete before its outcome`() {
        val (interview, result) = runDraft("interview-v2-fr-adult-incomplete.draft.json")
        interview.use {
            assertEquals("no_indicators", result.outcomeId)
            val c = assertNotNull(result.completeness)
            assertFalse(c.complete)
            assertFalse(c.clean)
            assertTrue(c.summary.startsWith("Incomplet"), c.summary)
            assertTrue(result.outcomeLabel.startsWith("Incomplet"), result.outcomeLabel)
            assertTrue(result.explanation.startsWith(c.summary))
            assertEquals("complete_interview", result.nextSteps.first().id)
        }
    }

    @Test
    fun `the act, means and purpose and the triage come through`() {
        val (interview, result) = runDraft("interview-v2-es-adult-smuggled-exploitation.draft.json")
        interview.use {
            assertEquals("exploitation", result.outcomeId)
            val p = assertNotNull(result.protocolReading)
            assertTrue(p.assessed && p.act && !p.meansMet && !p.met)
            assertEquals(listOf("recruitment"), p.acts.map { it.id })
            assertEquals(listOf("smuggling"), result.triage.map { it.id })
            assertTrue(result.triage.first().explanation.isNotBlank())
            assertTrue(result.nextSteps.any { it.id == "refer_migrant" })
            assertNotNull(result.completeness).also { assertTrue(it.complete) }
        }
    }

    @Test
    fun `a draft of the first interview version still resumes and finishes with that version`() {
        Interview.resume(vector("interview-es-adult-honduras-lobster-diving.draft.json")).use { old ->
            val result = old.finish()
            assertEquals(expected("interview-es-adult-honduras-lobster-diving.expected.json").getString("outcome"), result.outcomeId)
            assertFalse(assertNotNull(result.protocolReading).assessed, "the first version did not ask what establishes an act")
            assertNotNull(result.completeness)
            assertTrue(JSONObject(old.draftJson()).getInt("form_version") == 1)
        }
    }

    @Test
    fun `screens refuse bad input in the session's language and keep the question`() {
        Interview("interview", Language.FR, null).use { interview ->
            var screen = interview.screen()
            val first = assertNotNull(screen.question)
            assertEquals(1u, screen.progress.position)
            assertFalse(screen.canBack)
            assertEquals(uiText(Language.FR, "ui.next"), screen.labels.next)
            // An option id that is not on the screen.
            screen = interview.choose(listOf("not_an_option"))
            assertEquals(first.id, screen.question?.id)
            assertEquals(1, screen.errors.size)
            // Walk to the age question and type nonsense, then a number with a decimal comma.
            while (screen.question?.answerType != AnswerType.NUMBER) {
                val q = assertNotNull(screen.question)
                screen = if (q.options.isNotEmpty()) interview.choose(listOf(q.options.first().id)) else interview.skip()
            }
            val age = screen.question!!.id
            screen = interview.answerText("trente")
            assertEquals(age, screen.question?.id)
            assertTrue(screen.errors.single().isNotBlank())
            screen = interview.answerText("35")
            assertTrue(screen.errors.isEmpty())
            assertNotEquals(age, screen.question?.id)
            // Back shows the typed answer again.
            screen = interview.back()
            assertEquals(age, screen.question?.id)
            assertEquals("35", screen.question?.currentText)
        }
    }

    @Test
    fun `switching language mid-interview keeps the answers`() {
        Interview("quick-check", Language.FR, null).use { interview ->
            val q = interview.screen().question!!
            interview.choose(listOf(q.options.first().id))
            val back = interview.back()
            val en = interview.setLanguage(Language.EN)
            assertEquals(Language.EN, en.language)
            assertEquals(back.question?.id, en.question?.id)
            assertNotEquals(back.question?.prompt, en.question?.prompt)
            assertTrue(en.question!!.options.first().selected, "the answer survives the switch")
        }
    }

    @Test
    fun `finishing early names the unanswered required questions, and review can go to them`() {
        Interview("interview", Language.EN, null).use { interview ->
            val e = assertFailsWith<InterviewException.Incomplete> { interview.finish() }
            assertTrue(e.questionIds.isNotEmpty())
            val review = interview.review()
            assertEquals(ScreenKind.REVIEW, review.kind)
            assertFalse(review.canFinish)
            val missing = review.review!!.unansweredRequired.first()
            val screen = interview.goTo(missing.id)
            assertEquals(missing.id, screen.question?.id)
            assertFailsWith<InterviewException.NotShown> { interview.goTo("no_such_question") }
        }
    }

    @Test
    fun `a draft resumes where it stopped, and bad drafts and forms are refused`() {
        Interview("quick-check", Language.ES, null).use { interview ->
            val q = interview.screen().question!!
            val next = interview.choose(listOf(q.options.first().id))
            Interview.resume(interview.draftJson()).use { resumed ->
                assertEquals(next.question?.id, resumed.screen().question?.id)
                assertEquals(Language.ES, resumed.screen().language)
            }
        }
        val bad = assertFailsWith<InterviewException.InvalidDraft> { Interview.resume("{\"name\": \"Amina\"") }
        assertFalse("Amina" in bad.reason, "the error does not repeat the draft's content")
        assertFailsWith<InterviewException.UnknownForm> { Interview("gossip", Language.FR, null) }
    }

    @Test
    fun `a form in progress is kept sealed in the vault across a lock and resumed`() {
        val path = tempVaultPath()
        val secret = FixedSecret("device".toByteArray())
        var shown: String? = null
        Vault.create(path, PASS, secret, fastSettings()).use { vault ->
            val code = vault.createCase()
            assertNull(vault.pendingDraft())
            Interview("interview", Language.FR, null).use { interview ->
                val first = interview.screen().question!!
                shown = interview.choose(listOf(first.options.first().id)).question?.id
                vault.savePendingDraft(interview, code)
            }
            vault.lock()
        }
        Vault.unlock(path, PASS, secret).use { vault ->
            val pending = assertNotNull(vault.pendingDraft())
            assertEquals("interview", pending.formId)
            Interview.resume(pending.draftJson).use { resumed ->
                assertEquals(shown, resumed.screen().question?.id, "it goes on where it stopped")
            }
            assertFailsWith<VaultException.NoSuch> {
                Interview("quick-check", Language.FR, null).use { vault.savePendingDraft(it, "RLS-NONE-NONE") }
            }
            assertEquals(pending, vault.pendingDraft(), "a refused save keeps the saved one")
            vault.discardPendingDraft()
            assertNull(vault.pendingDraft())
        }
    }
}
