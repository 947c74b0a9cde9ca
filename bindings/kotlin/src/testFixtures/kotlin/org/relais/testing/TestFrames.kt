package org.relais.testing

import java.nio.ByteBuffer
import java.security.MessageDigest
import java.util.zip.CRC32

/**
 * The QR frames of any bytes, written for tests from docs/handover-frames.md alone, independently
 * of the core's encoder: the source parts 1..k (the message cut into fragments of [fragment]
 * bytes; the last one padded with zeros), each `RL1:` ‖ Base45(version 1, id, seq, k, f, length,
 * CRC-32 of the message, fragment, CRC-32 of all that). Enough for a receiver to rebuild the
 * message. Unlike `directoryFrames`, which refuses a file that does not verify, it frames
 * anything: a directory changed after signing, bytes that are not text.
 */
object TestFrames {
    private const val ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

    fun of(message: ByteArray, fragment: Int = 939): List<String> {
        require(message.isNotEmpty() && fragment in 16..2048)
        val k = (message.size + fragment - 1) / fragment
        val id = MessageDigest.getInstance("SHA-256").digest(message).copyOf(4)
        val crc = crc32(message)
        return (1..k).map { seq ->
            val data = ByteArray(fragment)
            val start = (seq - 1) * fragment
            message.copyInto(data, 0, start, minOf(message.size, start + fragment))
            val part = ByteBuffer.allocate(21 + fragment + 4).apply {
                put(1)
                put(id)
                putInt(seq)
                putShort(k.toShort())
                putShort(fragment.toShort())
                putInt(message.size)
                putInt(crc.toInt())
                put(data)
            }
            part.putInt(crc32(part.array().copyOf(21 + fragment)).toInt())
            "RL1:" + base45(part.array())
        }
    }

    private fun crc32(bytes: ByteArray): Long = CRC32().apply { update(bytes) }.value

    /** RFC 9285. */
    private fun base45(bytes: ByteArray): String {
        val out = StringBuilder()
        var i = 0
        while (i + 1 < bytes.size) {
            val n = (bytes[i].toInt() and 0xFF) * 256 + (bytes[i + 1].toInt() and 0xFF)
            out.append(ALPHABET[n % 45]).append(ALPHABET[(n / 45) % 45]).append(ALPHABET[n / 2025])
            i += 2
        }
        if (i < bytes.size) {
            val n = bytes[i].toInt() and 0xFF
            out.append(ALPHABET[n % 45]).append(ALPHABET[n / 45])
        }
        return out.toString()
    }
}
