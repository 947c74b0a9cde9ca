package org.relais.app

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner

@RunWith(RobolectricTestRunner::class)
class UnlockTest {
    @Test
    fun firstRunSetsUpTheVaultWithTheOrganisationAndOpensHome() {
        val phone = Phone("a")
        val home = phone.setUp("Caritas Kikwit")
        assertTrue(phone.state.isUnlocked)
        assertTrue(home.shows("Caritas Kikwit"))
        assertTrue(home.shows(home.ui("app.home.quick_check")))
        assertTrue(home.shows(home.ui("app.home.interview")))
    }

    @Test
    fun setUpRefusesDifferentEntriesAndShortPassphrasesAndCreatesNothing() {
        val phone = Phone("a")
        val unlock = phone.launch(UnlockActivity::class.java)
        unlock.type(unlock.ui("app.setup.organisation"), "Caritas Kikwit")
        unlock.type(unlock.ui("app.setup.passphrase"), PASS)
        unlock.type(unlock.ui("app.setup.confirm"), "$PASS!")
        unlock.click(unlock.ui("app.setup.create"))
        assertTrue(unlock.shows(unlock.ui("app.setup.mismatch")))

        unlock.type(unlock.ui("app.setup.organisation"), "Caritas Kikwit")
        unlock.type(unlock.ui("app.setup.passphrase"), "1234")
        unlock.type(unlock.ui("app.setup.confirm"), "1234")
        unlock.click(unlock.ui("app.setup.create"))
        awaitWork()
        assertTrue(unlock.texts().toString(), unlock.texts().any { it.startsWith(unlock.ui("app.setup.weak").substringBefore("{")) })
        assertFalse(phone.state.vaultExists())
        assertFalse(phone.state.isUnlocked)
    }

    @Test
    fun aWrongPassphraseSaysHowManyAttemptsRemainAndTheRightOneOpens() {
        val phone = Phone("a")
        phone.setUp()
        phone.state.lock()

        val unlock = phone.launch(UnlockActivity::class.java)
        assertTrue(unlock.shows(unlock.ui("app.unlock.title")))
        unlock.type(unlock.ui("app.unlock.passphrase"), "wrong horse 42")
        unlock.click(unlock.ui("app.unlock.button"))
        awaitWork()
        assertTrue(unlock.texts().toString(), unlock.shows(unlock.ui("app.unlock.wrong", "remaining" to "9")))
        assertFalse(phone.state.isUnlocked)

        unlock.type(unlock.ui("app.unlock.passphrase"), PASS)
        unlock.click(unlock.ui("app.unlock.button"))
        awaitWork()
        assertTrue(phone.state.isUnlocked)
        unlock.follow(HomeActivity::class.java)
    }

    @Test
    fun theDuressPassphraseOpensAnEmptyVaultThatLooksTheSame() {
        val phone = Phone("a")
        phone.setUp()
        val code = phone.state.requireVault().createCase()
        phone.state.requireVault().setDuressPassphrase("danger zone 99", phone.state.keyProvider)
        phone.state.lock()

        val unlock = phone.launch(UnlockActivity::class.java)
        unlock.type(unlock.ui("app.unlock.passphrase"), "danger zone 99")
        unlock.click(unlock.ui("app.unlock.button"))
        awaitWork()
        assertTrue("the duress passphrase opens a vault", phone.state.isUnlocked)
        unlock.follow(HomeActivity::class.java)
        assertEquals(emptyList<String>(), phone.state.requireVault().listCases().map { it.code })
        assertFalse(code.isEmpty())
    }

    @Test
    fun screensThatNeedTheVaultGoBackToUnlockingWhenItIsLocked() {
        val phone = Phone("a")
        phone.setUp()
        phone.state.lock()
        val home = phone.launch(HomeActivity::class.java)
        assertTrue(home.isFinishing)
        home.follow(UnlockActivity::class.java)
    }
}
