package org.relais.app

import android.app.AlertDialog
import android.content.DialogInterface
import org.json.JSONArray
import org.json.JSONObject
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.relais.core.AnswerType
import org.relais.core.FormResultView
import org.relais.core.Interview
import org.relais.core.Language
import org.relais.core.Screen
import org.relais.core.ScreenKind
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowAlertDialog
import java.io.File

/**
 * The form screens and the result screen, driven by tapping: whole forms walked from the golden
 * drafts, refusals, back and review, the person's language, and saving into an existing case. A
 * "mirror" session of the core, given the same answers, says what each screen must show.
 */
@RunWith(RobolectricTestRunner::class)
class FormTest {
    @Test
    fun aWholeQuickCheckInFrenchEndsOnTheUrgentResultAndOneNewCase() {
        val phone = Phone("a")
        phone.setUp()
        val draft = formVector("quick-check-v2-fr-dont-know-counts-urgent.draft.json")
        val form = startForm(phone, "quick-check")
        Interview("quick-check", Language.FR, null).use { mirror ->
            val review = tapThrough(form, mirror, draft)
            assertTrue(form.shows(review.review!!.message))
            form.click(review.labels.finish)
        }
        val expected = coreResult(draft)
        assertEquals(JSONObject(formVector("quick-check-v2-fr-dont-know-counts-urgent.expected.json")).getString("outcome"), expected.outcomeId)

        val result = form.follow(ResultActivity::class.java)
        assertTrue(form.isFinishing)
        assertTrue(result.texts().toString(), result.shows(expected.outcomeLabel))
        assertTrue(result.shows(result.ui("app.result.urgent")))
        for (flag in expected.redFlags) assertTrue(flag.label, result.shows(flag.label))
        assertTrue(result.shows(expected.explanation))

        val cases = phone.state.requireVault().listCases()
        assertEquals(1, cases.size)
        assertEquals(expected.outcomeId, cases.single().lastOutcome)
        assertEquals(cases.single().code, phone.state.currentCase)
        assertTrue(result.shows(result.ui("app.result.case", "code" to cases.single().code!!)))
        // The ways on for this case are offered.
        result.button(result.ui("app.result.refer"))
        result.button(result.ui("app.result.open_case"))
    }

    @Test
    fun aWholeInterviewIsWalkedThroughItsScreensToTheExplainedResult() {
        val phone = Phone("a")
        phone.setUp()
        val draft = formVector("interview-v2-fr-adult-djibouti-domestic-servitude.draft.json")
        val form = startForm(phone, "interview")
        Interview("interview", Language.FR, null).use { mirror ->
            val review = tapThrough(form, mirror, draft)
            assertTrue(review.canFinish)
            form.click(review.labels.finish)
        }
        val result = form.follow(ResultActivity::class.java)
        val expected = phone.state.lastResult!!
        assertEquals(
            JSONObject(formVector("interview-v2-fr-adult-djibouti-domestic-servitude.expected.json")).getString("outcome"),
            expected.outcomeId,
        )
        assertTrue(result.shows(expected.outcomeLabel))
        assertTrue(result.shows(expected.explanation))
        assertTrue(expected.nextSteps.isNotEmpty())
        expected.nextSteps.forEachIndexed { i, step -> assertTrue(step.label, result.shows("${i + 1}. ${step.label}")) }
        assertTrue(result.shows(result.ui("app.result.dimensions")))
        val seen = expected.dimensions.flatMap { it.indicators }
        assertTrue(seen.isNotEmpty())
        for (indicator in seen) assertTrue(indicator.title, result.shows("• ${indicator.title}"))

        val code = phone.state.currentCase!!
        val saved = phone.state.requireVault().caseDetail(code).entries.single { it.result != null }
        assertEquals("interview", saved.formId)
        assertEquals(expected.outcomeId, saved.result!!.outcomeId)
    }

    @Test
    fun aQuickCheckFinishedAtTheFirstQuestionSaysFirstThatItIsIncompleteNeverNoFlags() {
        val phone = Phone("a")
        phone.setUp()
        val form = startForm(phone, "quick-check")
        val expected = Interview("quick-check", Language.FR, null).use { mirror ->
            val screen = mirror.screen()
            val adult = screen.question!!.options.first { it.id == "adult" }
            form.click(adult.label)
            val next = mirror.choose(listOf("adult"))
            form.click(next.labels.review)
            form.click(mirror.review().labels.finish)
            mirror.finish()
        }
        assertEquals("incomplete", expected.outcomeId)
        val summary = expected.completeness!!.summary
        val result = form.follow(ResultActivity::class.java)
        val texts = result.texts()
        val first = texts.indexOfFirst { it.contains(summary) }
        assertTrue(texts.toString(), first >= 0)
        assertTrue("the summary comes before the outcome", first < texts.indexOfFirst { it == expected.outcomeLabel })
        assertTrue(result.shows(expected.outcomeLabel))
        assertFalse(result.shows(org.relais.core.uiText(Language.FR, "quick.outcome.no_flags")))
        // The questions that could have raised a flag are named.
        assertTrue(result.shows(result.ui("app.result.open_questions")))
        assertTrue(result.shows(expected.completeness!!.open.first().label))
    }

    @Test
    fun theActMeansPurposeReadingAndTheTriageAreShownOnTheResult() {
        val phone = Phone("a")
        phone.setUp()
        val draft = formVector("interview-v2-es-adult-smuggled-exploitation.draft.json")
        val form = startForm(phone, "interview")
        Interview("interview", Language.FR, null).use { mirror ->
            val review = tapThrough(form, mirror, draft)
            form.click(review.labels.finish)
        }
        val expected = phone.state.lastResult!!
        val result = form.follow(ResultActivity::class.java)
        assertTrue(result.shows(result.ui("app.result.protocol")))
        for (line in expected.protocolReading!!.lines) assertTrue(line, result.shows(line))
        assertTrue(result.shows(result.ui("app.result.triage")))
        val smuggling = expected.triage.single()
        assertEquals("smuggling", smuggling.id)
        assertTrue(result.shows(smuggling.label) && result.shows(smuggling.explanation))
    }

    @Test
    fun aConsentFormStartedInAChildsCaseAsksForAssentAndAGuardian() {
        val phone = Phone("a")
        phone.setUp()
        val vault = phone.state.requireVault()
        val code = vault.createCase()
        Interview.resume(formVector("interview-v2-en-child-fishing.draft.json")).use { vault.saveResult(code, it) }
        val form = phone.launch(FormActivity::class.java) {
            putExtra(BaseActivity.EXTRA_FORM, "consent")
            putExtra(BaseActivity.EXTRA_CASE, code)
        }
        vault.startForm(code, "consent", Language.FR).use { mirror ->
            var screen = mirror.screen()
            val asked = mutableListOf<String>()
            while (screen.kind == ScreenKind.QUESTION) {
                val q = screen.question!!
                asked += q.id
                assertTrue("${q.id} on screen", form.shows(q.prompt))
                form.click(q.options.first { it.id == "yes" }.label)
                screen = mirror.choose(listOf("yes"))
            }
            assertTrue("$asked", "child_assent" in asked && "guardian_consent" in asked)
            assertFalse("$asked", "agree_interview" in asked)
        }
    }

    @Test
    fun aNumberQuestionRefusesBadInputWithTheCoresMessageAndStays() {
        val phone = Phone("a")
        phone.setUp()
        val form = startForm(phone, "interview")
        Interview("interview", Language.FR, null).use { mirror ->
            var screen = mirror.screen()
            while (screen.question?.answerType != AnswerType.NUMBER) {
                val q = screen.question!!
                screen = if (q.options.isNotEmpty()) {
                    form.click(q.options.first().label)
                    mirror.choose(listOf(q.options.first().id))
                } else {
                    form.click(screen.labels.skip)
                    mirror.skip()
                }
            }
            val age = screen.question!!
            val hint = age.hint ?: ""
            form.type(hint, "trente")
            form.click(screen.labels.next)
            val refused = mirror.answerText("trente")
            val error = refused.errors.single()
            assertEquals(age.id, refused.question?.id)
            assertTrue(form.texts().toString(), form.shows(error))
            assertTrue(form.shows(age.prompt))
            form.field(hint)

            form.type(hint, "35")
            form.click(screen.labels.next)
            val accepted = mirror.answerText("35")
            assertFalse(form.shows(error))
            assertTrue(form.shows(accepted.question!!.prompt))
        }
    }

    @Test
    fun backKeepsTheAnswerAndTheReviewLeadsToAMissingRequiredQuestion() {
        val phone = Phone("a")
        phone.setUp()
        val form = startForm(phone, "interview")
        Interview("interview", Language.FR, null).use { mirror ->
            val first = mirror.screen()
            val q = first.question!!
            val option = q.options.first()
            form.click(option.label)
            val second = mirror.choose(listOf(option.id))
            assertTrue(form.shows(second.question!!.prompt))

            form.click(second.labels.back)
            mirror.back()
            assertTrue(form.shows(q.prompt))
            assertTrue(form.texts().toString(), form.shows(FormViews.CHOSEN + option.label))

            form.click(first.labels.review)
            val review = mirror.review()
            assertEquals(ScreenKind.REVIEW, review.kind)
            assertTrue(form.shows(review.review!!.title))
            assertTrue(form.shows(form.ui("app.form.count.answered", "count" to "1")))
            assertFalse("no finishing with required questions missing", form.shows(review.labels.finish))
            val missing = review.review!!.unansweredRequired.first()
            form.click(missing.prompt)
            val there = mirror.goTo(missing.id)
            assertEquals(missing.id, there.question?.id)
            assertTrue(form.shows(there.question!!.prompt))
            assertTrue(form.shows(FormViews.progressText(there.labels.progress, there.progress)))
        }
        assertEquals(emptyList<String>(), phone.state.requireVault().listCases().map { it.code })
    }

    @Test
    fun switchingToEnglishShowsTheSameQuestionAndKeepsTheAnswers() {
        val phone = Phone("a")
        phone.setUp()
        val form = startForm(phone, "quick-check")
        Interview("quick-check", Language.FR, null).use { mirror ->
            val q = mirror.screen().question!!
            val option = q.options.first()
            form.click(option.label)
            mirror.choose(listOf(option.id))
            form.click(mirror.screen().labels.back)
            mirror.back()

            val english = languageName(Language.EN)
            form.click(english)
            val en = mirror.setLanguage(Language.EN)
            val question = en.question!!
            assertEquals(q.id, question.id)
            assertTrue(form.shows(question.prompt))
            assertFalse(form.shows(q.prompt))
            assertTrue(form.shows(FormViews.CHOSEN + english))
            val kept = question.options.single { it.selected }
            assertEquals(option.id, kept.id)
            assertTrue(form.texts().toString(), form.shows(FormViews.CHOSEN + kept.label))
            // The buttons speak the person's language too.
            form.button(en.labels.review)
        }
        assertEquals(Language.FR, phone.state.language)
    }

    @Test
    fun aNeedsAssessmentFinishedForACaseIsAddedToThatCase() {
        val phone = Phone("a")
        phone.setUp()
        val vault = phone.state.requireVault()
        val code = vault.createCase()
        val draft = formVector("needs-fr-adult-emergency.draft.json")
        val form = phone.launch(FormActivity::class.java) {
            putExtra(BaseActivity.EXTRA_FORM, "needs")
            putExtra(BaseActivity.EXTRA_CASE, code)
        }
        Interview("needs", Language.FR, null).use { mirror ->
            val review = tapThrough(form, mirror, draft)
            form.click(review.labels.finish)
        }
        val result = form.follow(ResultActivity::class.java)
        assertEquals(code, result.intent.getStringExtra(BaseActivity.EXTRA_CASE))
        val expected = coreResult(draft)
        assertEquals(JSONObject(formVector("needs-fr-adult-emergency.expected.json")).getString("outcome"), expected.outcomeId)
        assertTrue(result.shows(expected.outcomeLabel))
        assertTrue(result.shows(result.ui("app.result.needs")))
        for (need in expected.needs) assertTrue(need.label, result.shows(need.label))

        assertEquals(listOf(code), vault.listCases().map { it.code })
        val entries = vault.caseDetail(code).entries
        assertEquals(listOf("needs"), entries.mapNotNull { it.formId })
        assertEquals(expected.outcomeId, entries.single { it.result != null }.result!!.outcomeId)
    }

    @Test
    fun quittingWithAnswersAsksFirstAndSavesNothing() {
        val phone = Phone("a")
        phone.setUp()
        val form = startForm(phone, "quick-check")
        Interview("quick-check", Language.FR, null).use { mirror ->
            val first = mirror.screen()
            form.click(first.question!!.options.first().label)
            form.click(first.labels.quit)
        }
        val dialog: AlertDialog? = ShadowAlertDialog.getLatestAlertDialog()
        assertNotNull("a confirmation is asked", dialog)
        dialog!!
        assertEquals(form.ui("app.form.quit_confirm"), shadowOf(dialog).message.toString())
        assertFalse(form.isFinishing)
        dialog.getButton(DialogInterface.BUTTON_POSITIVE).performClick()
        shadowOf(android.os.Looper.getMainLooper()).idle()
        assertTrue(form.isFinishing)
        assertTrue(phone.state.requireVault().listCases().isEmpty())
        assertEquals(null, phone.state.requireVault().pendingDraft())
    }

    @Test
    fun theResultScreenReadsTheCasesLatestResultAndLeadsToTheNextForms() {
        val phone = Phone("a")
        phone.setUp()
        val vault = phone.state.requireVault()
        val code = vault.createCase()
        val draft = formVector("risk-fr-self-harm-high.draft.json")
        val expected = Interview.resume(draft).use { session ->
            vault.saveResult(code, session)
            session.finish()
        }
        phone.state.lastResult = null
        val result = phone.launch(ResultActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        assertTrue(result.shows(expected.outcomeLabel))
        assertTrue(result.shows(result.ui("app.result.risks")))
        for (risk in expected.risks) {
            assertTrue(result.shows(result.ui("app.result.level", "label" to risk.targetLabel, "level" to risk.levelLabel)))
        }
        val needsTitle = org.relais.core.forms(Language.FR).single { it.id == "needs" }.title
        result.click(needsTitle)
        val next = result.follow(FormActivity::class.java)
        assertEquals(code, next.intent.getStringExtra(BaseActivity.EXTRA_CASE))
        assertEquals("needs", next.intent.getStringExtra(BaseActivity.EXTRA_FORM))
        assertTrue(next.shows(needsTitle))

        result.click(result.ui("app.result.home"))
        val home = shadowOf(result).nextStartedActivity
        assertEquals(HomeActivity::class.java.name, home.component?.className)
        assertTrue(home.flags and android.content.Intent.FLAG_ACTIVITY_CLEAR_TOP != 0)
    }

    // --- helpers --------------------------------------------------------------------------

    private fun formVector(name: String): String = File(repo, "tests/vectors/screen/$name").readText()

    private fun startForm(phone: Phone, formId: String): FormActivity =
        phone.launch(FormActivity::class.java) { putExtra(BaseActivity.EXTRA_FORM, formId) }

    /** What the core itself gives for a golden draft. */
    private fun coreResult(draftJson: String): FormResultView = Interview.resume(draftJson).use { it.finish() }

    private fun languageName(language: Language): String =
        org.relais.core.languages().single { it.language == language }.name

    /**
     * Answers a whole form on screen from a golden draft, the way a worker would: the option
     * buttons tapped, boxes ticked, numbers and dates typed; questions the draft leaves out skipped
     * (or "don't know" when required). The mirror session takes the same answers and says what
     * each next screen must show. Returns the review screen.
     */
    private fun tapThrough(form: FormActivity, mirror: Interview, draftJson: String): Screen {
        val draft = JSONObject(draftJson)
        val answers = draft.getJSONObject("answers")
        // An age known when the draft was made is the answer the worker types on this phone.
        draft.optJSONObject("context")?.optInt("age", -1)?.takeIf { it >= 0 && !answers.has("age") }
            ?.let { answers.put("age", it) }
        val skipped = draft.optJSONArray("skipped")?.let { a -> (0 until a.length()).map { a.getString(it) } }?.toSet()
            ?: emptySet()
        var screen = mirror.screen()
        repeat(400) {
            if (screen.kind == ScreenKind.REVIEW) {
                assertTrue(form.texts().toString(), form.shows(screen.review!!.title))
                return screen
            }
            val q = screen.question!!
            assertTrue("${q.id} on screen: ${form.texts()}", form.shows(q.prompt))
            assertTrue(form.shows(FormViews.progressText(screen.labels.progress, screen.progress)))
            val special = q.specialOptions.associate { it.id to it.label }
            val labels = q.options.associate { it.id to it.label }
            screen = when {
                q.id in skipped -> {
                    form.click(screen.labels.skip)
                    mirror.skip()
                }
                !answers.has(q.id) -> if (q.required) {
                    form.click(special.getValue("dont_know"))
                    mirror.choose(listOf("dont_know"))
                } else {
                    form.click(screen.labels.skip)
                    mirror.skip()
                }
                else -> {
                    val a = answers.get(q.id)
                    when {
                        a is String && a in special -> {
                            form.click(special.getValue(a))
                            mirror.choose(listOf(a))
                        }
                        q.answerType == AnswerType.MULTI -> {
                            val ids = (a as JSONArray).let { arr -> (0 until arr.length()).map { arr.getString(it) } }
                            for (id in ids) form.check(labels.getValue(id))
                            form.click(screen.labels.next)
                            mirror.choose(ids)
                        }
                        q.answerType == AnswerType.YES_NO || q.answerType == AnswerType.SINGLE -> {
                            form.click(labels.getValue(a as String))
                            mirror.choose(listOf(a))
                        }
                        else -> {
                            form.type(q.hint ?: "", a.toString())
                            form.click(screen.labels.next)
                            mirror.answerText(a.toString())
                        }
                    }
                }
            }
            assertTrue("answer to ${q.id} refused: ${screen.errors}", screen.errors.isEmpty())
        }
        throw AssertionError("the form did not reach its review")
    }
}
