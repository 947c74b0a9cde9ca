package org.relais.testing

import java.io.ByteArrayOutputStream
import java.security.KeyPairGenerator
import java.security.Signature

/**
 * An NRM coordinator for tests, signing directories the way docs/directory.md says, written
 * independently of the core: the JDK's Ed25519 over `"relais/directory/v2"` ‖ the deterministic
 * CBOR (RFC 8949 §4.2.1) of the directory value, in a `relais.signed-directory` file. A fresh key
 * each time; shared by the bindings' Kotlin tests and the Android app's Robolectric tests.
 */
class TestCoordinator(val name: String = "Secrétariat NRM de test (fictif)") {
    private val pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair()

    /** The raw 32-byte public key: the last 32 bytes of its X.509 (SubjectPublicKeyInfo) form. */
    val keyHex: String = hex(pair.public.encoded.takeLast(32).toByteArray())

    /** An organisation allowed to receive cases: its identity key (64 hex), listed name and area. */
    data class Listed(val identity: String, val name: String, val area: String = "Kwilu/Kikwit")

    /** A schema-2 directory listing [organisations], with one service, signed as [version]. */
    fun sign(
        organisations: List<Listed>,
        version: Long,
        issuedAt: Long = 1_800_000_000,
        fictitious: Boolean = true,
        directoryName: String = "Annuaire de test (fictif)",
    ): String {
        val directory = linkedMapOf<String, Any?>(
            "format" to "relais.directory",
            "schema" to 2L,
            "name" to directoryName,
            "fictitious" to fictitious,
            "version" to version,
            "issued_at" to issuedAt,
            "coordinator" to linkedMapOf("name" to name, "key" to keyHex),
            "services" to listOf(
                linkedMapOf(
                    "id" to "test-shelter-01",
                    "organisation" to "Maison de test (fictif)",
                    "service" to "Hébergement d'urgence",
                    "categories" to listOf("shelter"),
                    "area" to "Kwilu/Kikwit",
                    "address" to "Avenue fictive 9",
                    "phone" to "+243 000 000 009",
                    "email" to "test@example.org",
                    "languages" to listOf("fr", "ln"),
                    "hours" to "24 h/24",
                    "takes_children" to true,
                    "available_24h" to true,
                    "notes" to "",
                ),
            ),
            "organisations" to organisations.mapIndexed { i, o ->
                linkedMapOf(
                    "id" to "test-org-${i + 1}",
                    "name" to o.name,
                    "area" to o.area,
                    "identity" to o.identity,
                    "valid_from" to 0L,
                    "valid_until" to 4_000_000_000L,
                )
            },
        )
        val signature = Signature.getInstance("Ed25519").run {
            initSign(pair.private)
            update("relais/directory/v2".toByteArray(Charsets.UTF_8) + cbor(directory))
            sign()
        }
        return json(
            linkedMapOf(
                "format" to "relais.signed-directory",
                "version" to 1L,
                "directory" to directory,
                "signature" to hex(signature),
            ),
        )
    }

    companion object {
        fun hex(bytes: ByteArray): String = bytes.joinToString("") { "%02x".format(it.toInt() and 0xff) }

        /** Deterministic CBOR of a JSON-shaped value (maps, lists, texts, integers, booleans, null). */
        fun cbor(value: Any?): ByteArray = ByteArrayOutputStream().also { write(it, value) }.toByteArray()

        private fun head(out: ByteArrayOutputStream, major: Int, n: Long) {
            val m = major shl 5
            when {
                n < 24 -> out.write(m or n.toInt())
                n <= 0xff -> { out.write(m or 24); out.write(n.toInt()) }
                n <= 0xffff -> { out.write(m or 25); for (s in intArrayOf(8, 0)) out.write((n shr s).toInt() and 0xff) }
                n <= 0xffff_ffffL -> { out.write(m or 26); for (s in 24 downTo 0 step 8) out.write((n shr s).toInt() and 0xff) }
                else -> { out.write(m or 27); for (s in 56 downTo 0 step 8) out.write((n shr s).toInt() and 0xff) }
            }
        }

        private fun write(out: ByteArrayOutputStream, value: Any?) {
            when (value) {
                null -> out.write(0xf6)
                false -> out.write(0xf4)
                true -> out.write(0xf5)
                is Int, is Long -> {
                    val n = (value as Number).toLong()
                    if (n >= 0) head(out, 0, n) else head(out, 1, -1 - n)
                }
                is String -> {
                    val bytes = value.toByteArray(Charsets.UTF_8)
                    head(out, 3, bytes.size.toLong())
                    out.write(bytes)
                }
                is List<*> -> {
                    head(out, 4, value.size.toLong())
                    value.forEach { write(out, it) }
                }
                is Map<*, *> -> {
                    head(out, 5, value.size.toLong())
                    // Keys in the bytewise order of their encodings: for texts, shorter first.
                    val keys = value.keys.map { it as String }.sortedWith(
                        compareBy<String> { it.toByteArray(Charsets.UTF_8).size }.thenComparator { a, b ->
                            val x = a.toByteArray(Charsets.UTF_8)
                            val y = b.toByteArray(Charsets.UTF_8)
                            (x.indices).firstOrNull { x[it] != y[it] }
                                ?.let { (x[it].toInt() and 0xff) - (y[it].toInt() and 0xff) } ?: 0
                        },
                    )
                    for (k in keys) {
                        write(out, k)
                        write(out, value[k])
                    }
                }
                else -> throw IllegalArgumentException("not a JSON value: ${value.javaClass}")
            }
        }

        /** Compact JSON of the same value (its spacing and key order do not matter to a verifier). */
        fun json(value: Any?): String = when (value) {
            null -> "null"
            is Boolean, is Int, is Long -> value.toString()
            is String -> buildString {
                append('"')
                for (c in value) {
                    when {
                        c == '"' -> append("\\\"")
                        c == '\\' -> append("\\\\")
                        c < ' ' -> append("\\u%04x".format(c.code))
                        else -> append(c)
                    }
                }
                append('"')
            }
            is List<*> -> value.joinToString(",", "[", "]") { json(it) }
            is Map<*, *> -> value.entries.joinToString(",", "{", "}") { (k, v) -> json(k as String) + ":" + json(v) }
            else -> throw IllegalArgumentException("not a JSON value: ${value.javaClass}")
        }
    }
}
