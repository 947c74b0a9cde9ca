package org.relais.core

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotEquals
import kotlin.test.assertTrue

class LanguageAndFormsTest {
    @Test
    fun `languages are French first, each named in itself, left to right`() {
        val langs = languages()
        assertEquals(listOf("fr", "en", "es"), langs.map { it.code })
        assertEquals(listOf("Français", "English", "Español"), langs.map { it.name })
        assertTrue(langs.all { it.direction == Direction.LTR })
    }

    @Test
    fun `app chrome text comes from the core's catalogue, with placeholders filled`() {
        val fr = uiText(Language.FR, "ui.next")
        val en = uiText(Language.EN, "ui.next")
        assertNotEquals(fr, en)
        assertEquals("ui.no.such.key", uiText(Language.ES, "ui.no.such.key"))
        val filled = uiTextWith(Language.EN, "answer.error.too_long", mapOf("max" to "80"))
        assertTrue("80" in filled && "{max}" !in filled, filled)
    }

    @Test
    fun `the five forms are listed with localised titles`() {
        val fr = forms(Language.FR)
        val en = forms(Language.EN)
        assertEquals(
            setOf(FormKind.QUICK_CHECK, FormKind.INTERVIEW, FormKind.NEEDS, FormKind.RISK, FormKind.CONSENT),
            fr.map { it.kind }.toSet(),
        )
        val interviewFr = fr.single { it.id == "interview" }
        val interviewEn = en.single { it.id == "interview" }
        assertNotEquals(interviewFr.title, interviewEn.title)
        assertTrue(interviewFr.questions > 100u, "the interview has ${interviewFr.questions} questions")
        assertTrue(Language.ES in interviewFr.languages)
    }
}
