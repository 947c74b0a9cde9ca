package org.relais.core

import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import java.io.File

/**
 * The cost of the FFI as a phone pays it, measured on the JVM through JNA against the release
 * library: one interview step (a user action in, a whole localised screen out) and one handover
 * frame (its text encoded into a QR matrix, then drawn into ARGB pixels as a Bitmap would take
 * them). Run by scripts/bench-jvm only (tag "bench"); it reports, it does not assert.
 */
@Tag("bench")
class FfiBenchmark {
    private fun measure(name: String, warmup: Int, runs: Int, body: () -> Unit): String {
        repeat(warmup) { body() }
        val times = LongArray(runs)
        for (i in 0 until runs) {
            val t0 = System.nanoTime()
            body()
            times[i] = System.nanoTime() - t0
        }
        times.sort()
        fun us(ns: Long) = "%.1f".format(ns / 1000.0)
        val mean = times.average()
        return "%-46s median %8s µs   p95 %8s µs   mean %8s µs   (n=%d)".format(
            name, us(times[runs / 2]), us(times[runs * 95 / 100]), us(mean.toLong()), runs,
        )
    }

    private fun releaseVault(organisation: String): Vault {
        val settings = VaultSettings(
            maxFailedUnlocks = 10u,
            retentionDays = null,
            unlockTargetMs = 0u,
            insecureFastKdfForTests = false,
        )
        val vault = Vault.create(tempVaultPath(), PASS, FixedSecret(organisation.toByteArray()), settings)
        vault.setOrganisation(organisation)
        return vault
    }

    @Test
    fun `ffi costs`() {
        val lines = mutableListOf<String>()
        Interview("interview", Language.FR, null).use { interview ->
            val first = interview.screen().question!!
            val option = listOf(first.options.first().id)
            // One step forward (answer) and one back: each a whole Screen across the boundary.
            lines += measure("interview step (choose → next Screen)", 2_000, 20_000) {
                interview.choose(option)
                interview.back()
            }.replace("step (choose", "step ×2 (choose + back")
            lines += measure("interview screen() only", 2_000, 20_000) { interview.screen() }
        }
        Interview("interview", Language.FR, null).use { interview ->
            lines += measure("review screen (131 questions counted)", 500, 5_000) { interview.review() }
        }

        // The release library refuses the tests' fast key derivation: real settings here.
        val sender = releaseVault("Caritas Kikwit")
        val receiver = releaseVault("Maison Lisanga")
        val code = sender.createCase()
        val (done, _) = runDraft("interview-fr-adult-djibouti-domestic.draft.json")
        done.use { sender.saveResult(code, it) }
        val key = receiver.openReceiveSession(10u, 939u.toUShort())
        // Not listed: the fingerprint as compared on both screens, the consent naming it.
        val check = sender.checkReceiver(key.text)
        sender.recordConsent(code, ConsentPurpose.HANDOVER, check.consentTarget)
        sender.sendHandover(code, key.text, check.fingerprint, false).use { out ->
            var seq = 1u
            lines += measure("frame(seq): text + QR matrix across FFI", 200, 2_000) { out.frame(seq++) }
            val pixels = IntArray(200 * 200)
            lines += measure("frame(seq) + draw into ARGB pixels", 200, 2_000) {
                val m = out.frame(seq++)
                val size = m.size.toInt()
                for (i in 0 until size * size) {
                    pixels[i] = if (m.modules[i] == 1.toByte()) -0x1000000 else -0x1
                }
            }
            lines += measure("frameText(seq) only", 200, 2_000) { out.frameText(seq++) }
            HandoverReceiver().use { scanner ->
                var s = 1u
                lines += measure("scanText(frame) on the receiver", 200, 2_000) {
                    try { scanner.scanText(out.frameText(s++)) } catch (e: HandoverException) { }
                    if (scanner.progress().status == ScanStatus.COMPLETE) scanner.reset()
                }
            }
        }
        sender.close()
        receiver.close()

        val report = lines.joinToString("\n")
        println("\n== FFI benchmark (Kotlin → JNA → relais_ffi, ${System.getProperty("java.vm.name")} ${System.getProperty("java.version")})\n$report\n")
        File(repo, "target/jvm-bench.txt").writeText(report + "\n")
    }
}
