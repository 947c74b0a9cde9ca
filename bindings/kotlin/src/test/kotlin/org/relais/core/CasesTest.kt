package org.relais.core

import org.json.JSONObject
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

class CasesTest {
    @Test
    fun `finished forms are saved into a case and listed with their outcome`() {
        newVault("Caritas Kikwit").use { vault ->
            val code = vault.createCase()
            assertTrue(Regex("RLS-[A-Z0-9]{4}-[A-Z0-9]{4}").matches(code), code)
            val (interview, result) = runDraft("interview-v2-fr-adult-djibouti-domestic-servitude.draft.json")
            interview.use { vault.saveResult(code, it) }
            val summary = vault.listCases().single()
            assertEquals(code, summary.code)
            assertEquals(result.outcomeId, summary.lastOutcome)
            assertEquals(CaseStatus.ACTIVE, summary.status)
            val entry = vault.caseDetail(code).entries.single()
            assertEquals(EntryKind.SCREENING, entry.kind)
            assertEquals("interview", entry.formId)
            assertEquals(result.outcomeId, entry.result?.outcomeId)
            assertEquals(result.dimensions, entry.result?.dimensions)
            vault.setCaseStatus(code, CaseStatus.FOLLOW_UP)
            assertEquals(CaseStatus.FOLLOW_UP, vault.listCases().single().status)
        }
    }

    @Test
    fun `a form started in a child's case takes the child's context`() {
        newVault("Caritas Kikwit").use { vault ->
            val code = vault.createCase()
            val (interview, result) = runDraft("interview-v2-en-child-fishing.draft.json")
            assertTrue(result.child)
            interview.use { vault.saveResult(code, it) }
            // The consent form started in that case is a child's: assent and a guardian, and no
            // adult "do you agree to talk with me" question.
            vault.startForm(code, "consent", Language.EN).use { consent ->
                val asked = mutableListOf<String>()
                var screen = consent.screen()
                while (screen.kind == ScreenKind.QUESTION) {
                    val q = assertNotNull(screen.question)
                    asked += q.id
                    screen = consent.choose(listOf("yes"))
                }
                assertTrue("child_assent" in asked && "guardian_consent" in asked, "$asked")
                assertTrue("agree_interview" !in asked, "$asked")
                val c = assertNotNull(consent.finish().consent)
                assertTrue(c.child && c.validForInterview)
                assertTrue(c.authorised.any { it.id == "research" })
            }
        }
    }

    @Test
    fun `an unfinished form is not saved, and unknown cases are refused`() {
        newVault("Caritas Kikwit").use { vault ->
            val code = vault.createCase()
            Interview("interview", Language.FR, null).use { unfinished ->
                val e = assertFailsWith<VaultException.Invalid> { vault.saveResult(code, unfinished) }
                assertTrue("not finished" in e.reason)
            }
            assertTrue(vault.caseDetail(code).entries.isEmpty(), "nothing was saved")
            assertFailsWith<VaultException.NoSuch> { vault.caseDetail("RLS-XXXX-XXXX") }
            vault.deleteCase(code)
            assertFailsWith<VaultException.NoSuch> { vault.addNote(code, "x") }
        }
    }

    @Test
    fun `a referral needs consent, and proposed services come from what the case found`() {
        newVault("Caritas Kikwit").use { vault ->
            val code = vault.createCase()
            for (draft in listOf("interview-v2-en-child-fishing.draft.json", "needs-fr-adult-emergency.draft.json")) {
                val (interview, _) = runDraft(draft)
                interview.use { vault.saveResult(code, it) }
            }
            sampleDirectory().use { directory ->
                assertTrue(directory.fictitious())
                val proposals = vault.proposeServices(code, directory, "Kwilu/Kikwit", Language.FR)
                assertTrue(proposals.fictitious)
                assertEquals(Priority.EMERGENCY, proposals.proposals.first().priority)
                val categories = proposals.proposals.map { it.category }
                assertTrue("child_protection" in categories, "$categories")
                val all = proposals.proposals.flatMap { it.services }
                assertTrue(all.all { it.service.takesChildren }, "only services that take children")
                val health = proposals.proposals.first { it.category == "health" }.services.first().service

                // No consent yet: refused, nothing stored.
                assertFailsWith<VaultException.ConsentRequired> {
                    vault.refer(code, health, Priority.URGENT, "blessure", false, null)
                }
                assertTrue(vault.referrals().isEmpty())
                // Consent given now: recorded with the referral.
                val id = vault.refer(code, health, Priority.URGENT, "blessure", true, null)
                val referral = vault.referrals().single()
                assertEquals(id, referral.id)
                assertEquals(ReferralStatus.DRAFT, referral.status)
                assertEquals(listOf(ReferralStatus.SENT), referral.nextStatuses)
                assertNotNull(referral.consentEntry)
                vault.setReferralStatus(id, ReferralStatus.SENT, null)
                assertFailsWith<VaultException.Invalid> { vault.setReferralStatus(id, ReferralStatus.REJECTED, null) }
                vault.setReferralStatus(id, ReferralStatus.REJECTED, "no bed tonight")
                assertEquals("no bed tonight", vault.referrals().single().rejectionReason)
                // An override with its reason, for a threat to life.
                val safety = proposals.proposals.first { it.category == "safety" }.services.first().service
                vault.refer(code, safety, Priority.EMERGENCY, "menaces", false, "danger immédiat")
                assertEquals(2, vault.caseDetail(code).referrals.size)
            }
        }
    }

    @Test
    fun `a consent form and one-off consents are recorded, and exports respect consent`() {
        newVault("Caritas Kikwit").use { vault ->
            val code = vault.createCase()
            val (consent, result) = runDraft("consent-v2-fr-adult-valid.draft.json")
            consent.use { vault.saveResult(code, it) }
            assertEquals(ResultKind.CONSENT, result.kind)
            assertTrue(result.consent!!.validForInterview)
            vault.recordConsent(code, ConsentPurpose.HANDOVER, "Maison Lisanga")
            val oneOff = vault.caseDetail(code).entries.last()
            assertEquals(listOf("handover"), oneOff.consentPurposes)
            assertEquals("Maison Lisanga", oneOff.consentScope)
            val htcds = JSONObject(vault.exportHtcds(ExportFormat.JSON))
            assertEquals(
                htcds.getJSONArray("cases").length() + htcds.getInt("excluded_without_consent"),
                1,
            )
            assertTrue(vault.exportStats(10u, ExportFormat.CSV).isNotBlank())
            assertFailsWith<VaultException.Invalid> { vault.exportStats(1u, ExportFormat.JSON) }
            val check = vault.check()
            assertTrue(check.ok, "$check")
            assertEquals(1u, check.cases)
            assertTrue(vault.auditLog().any { it.action.startsWith("case") })
        }
    }
}
