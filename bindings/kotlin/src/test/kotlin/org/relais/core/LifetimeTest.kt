package org.relais.core

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith

class LifetimeTest {
    @Test
    fun `closed objects are freed on the Rust side, and a closed object refuses calls`() {
        val before = liveObjects()
        repeat(50) { Interview("quick-check", Language.FR, null).use { it.next() } }
        val vault = newVault("Caritas Kikwit")
        val receiver = HandoverReceiver()
        assertEquals(before.vaults + 1u, liveObjects().vaults)
        assertEquals(before.handoverReceivers + 1u, liveObjects().handoverReceivers)
        vault.close()
        receiver.close()
        assertEquals(before, liveObjects(), "nothing left alive after close()")

        val interview = Interview("quick-check", Language.FR, null)
        interview.close()
        assertFailsWith<IllegalStateException> { interview.screen() }
        interview.close() // closing twice is harmless
        assertEquals(before, liveObjects())
    }
}
