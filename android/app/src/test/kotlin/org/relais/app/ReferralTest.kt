package org.relais.app

import android.app.Activity
import android.os.Looper
import android.widget.Button
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.relais.core.Interview
import org.relais.core.Language
import org.relais.core.Priority
import org.relais.core.ReferralStatus
import org.relais.core.ServiceProposals
import org.relais.core.sampleDirectory
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import java.io.File

/** Referring a case: proposed services, consent or override, and the referral's next steps. */
@RunWith(RobolectricTestRunner::class)
class ReferralTest {
    private val drafts = listOf("interview-fr-child-kikwit-domestic-market", "needs-fr-adult-emergency")

    @Test
    fun proposedServicesAreShownAndAReferralNeedsTheConsentGivenNow() {
        val phone = Phone("a")
        phone.setUp()
        val code = referralScreened(phone, drafts)
        val vault = phone.state.requireVault()
        val expected = referralProposals(phone, code)
        assertTrue(expected.fictitious)

        val screen = phone.launch(ReferralActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        assertTrue("the demo directory is said", screen.shows(screen.ui("app.referral.demo")))
        assertTrue(screen.shows(expected.explanation))
        for (proposal in expected.proposals) {
            assertTrue(proposal.categoryLabel, screen.shows(proposal.categoryLabel))
            proposal.services.firstOrNull()?.let { assertTrue(screen.shows(it.service.organisation)) }
        }
        assertTrue(screen.shows(screen.ui("app.referral.none")))

        val first = expected.proposals.first { it.services.isNotEmpty() }
        val service = first.services.first().service
        screen.referralTap(service.organisation)
        assertTrue(screen.shows(screen.ui("app.referral.confirm")))
        assertTrue(screen.shows(screen.ui("app.referral.phone", "phone" to service.phone)))
        assertTrue("the proposal's priority is chosen", screen.shows("✓ " + referralPriorityButton(screen, first.priority.name.lowercase())))

        // No consent and no override: refused by the core, nothing stored.
        screen.type(screen.ui("app.referral.reason_hint"), "Blessure au bras, besoin de soins")
        screen.click(screen.ui("app.referral.refer"))
        assertTrue(screen.shows(screen.ui("app.referral.consent_required")))
        assertTrue(vault.referrals().isEmpty())
        assertTrue(vault.caseDetail(code).entries.none { it.consentPurposes.isNotEmpty() })

        // The person agrees now, at urgent priority.
        screen.click(referralPriorityButton(screen, "urgent"))
        screen.check(screen.ui("app.referral.consent_now"))
        screen.click(screen.ui("app.referral.refer"))
        val referral = vault.referrals().single()
        assertEquals(code, referral.caseCode)
        assertEquals(service.id, referral.serviceId)
        assertEquals(ReferralStatus.DRAFT, referral.status)
        assertEquals(Priority.URGENT, referral.priority)
        assertEquals("Blessure au bras, besoin de soins", referral.reason)
        assertNotNull(referral.consentEntry)
        assertTrue(screen.shows(screen.ui("app.referral.recorded")))
        assertTrue(screen.shows(screen.ui("app.referral.with_consent")))
        assertTrue(screen.shows(referralStatusLine(screen, "draft", "urgent")))

        screen.click(screen.ui("app.referral.to.sent"))
        assertEquals(ReferralStatus.SENT, vault.referrals().single().status)
        assertTrue(screen.shows(referralStatusLine(screen, "sent", "urgent")))
        assertFalse(screen.shows(referralStatusLine(screen, "draft", "urgent")))
    }

    @Test
    fun anOverrideWithItsReasonRefersWithoutConsentAndTheCaseListsBothReferrals() {
        val phone = Phone("a")
        phone.setUp()
        val code = referralScreened(phone, drafts)
        val vault = phone.state.requireVault()
        val services = referralProposals(phone, code).proposals.flatMap { p -> p.services.map { it.service } }
            .distinctBy { it.organisation }
        assertTrue("two organisations to refer to: $services", services.size >= 2)

        val screen = phone.launch(ReferralActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        screen.referralTap(services[0].organisation)
        screen.type(screen.ui("app.referral.reason_hint"), "Menaces du patron")
        screen.type(screen.ui("app.referral.override_hint"), "Danger immédiat pour sa vie")
        screen.click(screen.ui("app.referral.refer"))
        val overridden = vault.referrals().single()
        assertNull(overridden.consentEntry)
        assertEquals("Danger immédiat pour sa vie", overridden.overrideReason)
        assertTrue(screen.shows(screen.ui("app.referral.override", "reason" to "Danger immédiat pour sa vie")))

        screen.referralTap(services[1].organisation)
        screen.type(screen.ui("app.referral.reason_hint"), "Hébergement")
        screen.check(screen.ui("app.referral.consent_now"))
        screen.click(screen.ui("app.referral.refer"))
        assertEquals(2, vault.referrals().size)

        val detail = phone.launch(CaseDetailActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        assertEquals(2, vault.caseDetail(code).referrals.size)
        for (referral in vault.caseDetail(code).referrals) {
            val line = detail.ui(
                "app.case.referral",
                "organisation" to referral.organisation,
                "service" to referral.service,
                "status" to detail.ui("app.referral.status.draft"),
            )
            assertTrue(line, detail.shows(line))
        }
    }

    @Test
    fun aRefusalNeedsItsReason() {
        val phone = Phone("a")
        phone.setUp()
        val code = referralScreened(phone, drafts)
        val vault = phone.state.requireVault()
        val service = referralProposals(phone, code).proposals.first { it.services.isNotEmpty() }.services.first().service
        val id = vault.refer(code, service, Priority.NORMAL, "Soins", true, null)
        vault.setReferralStatus(id, ReferralStatus.SENT, null)

        val screen = phone.launch(ReferralActivity::class.java) { putExtra(BaseActivity.EXTRA_CASE, code) }
        assertTrue(screen.shows(screen.ui("app.referral.to.accepted")))
        screen.click(screen.ui("app.referral.to.rejected"))
        assertTrue(screen.shows(screen.ui("app.referral.rejection_missing")))
        assertEquals(ReferralStatus.SENT, vault.referrals().single().status)

        screen.type(screen.ui("app.referral.rejection_hint"), "Plus de place ce soir")
        screen.click(screen.ui("app.referral.to.rejected"))
        val refused = vault.referrals().single()
        assertEquals(ReferralStatus.REJECTED, refused.status)
        assertEquals("Plus de place ce soir", refused.rejectionReason)
        assertTrue(screen.shows(screen.ui("app.referral.rejected_because", "reason" to "Plus de place ce soir")))
        assertFalse("a refused referral is over", screen.shows(screen.ui("app.referral.to.accepted")))
    }
}

/** A new case holding the finished golden drafts `tests/vectors/screen/<name>.draft.json`. */
private fun referralScreened(phone: Phone, drafts: List<String>): String {
    val vault = phone.state.requireVault()
    val code = vault.createCase()
    for (draft in drafts) {
        Interview.resume(File(repo, "tests/vectors/screen/$draft.draft.json").readText()).use {
            it.finish()
            vault.saveResult(code, it)
        }
    }
    return code
}

/** What the core proposes for the case, as the screen must show it. */
private fun referralProposals(phone: Phone, code: String): ServiceProposals =
    sampleDirectory().use { phone.state.requireVault().proposeServices(code, it, null, Language.FR) }

private fun referralStatusLine(screen: Activity, status: String, priority: String): String = screen.ui(
    "app.referral.status_line",
    "status" to screen.ui("app.referral.status.$status"),
    "priority" to screen.ui("priority.$priority"),
)

/** Taps the first button whose (several-line) label contains [text]. */
private fun Activity.referralTap(text: String) {
    val button = views().filterIsInstance<Button>().firstOrNull { it.text.contains(text) }
        ?: throw AssertionError("no button with \"$text\"; buttons: " + views().filterIsInstance<Button>().map { it.text })
    button.performClick()
    shadowOf(Looper.getMainLooper()).idle()
}

/** A priority button's label: the core's label, capitalised. */
private fun referralPriorityButton(screen: Activity, priority: String): String =
    screen.ui("priority.$priority").replaceFirstChar { it.titlecase(java.util.Locale.getDefault()) }
