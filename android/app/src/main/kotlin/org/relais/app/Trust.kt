package org.relais.app

import android.content.Context
import android.graphics.Typeface
import android.view.View
import android.widget.TextView
import java.text.DateFormat
import java.util.Date

/**
 * How the screens show who a phone is (docs/handover-format.md §1): a fingerprint — 30 digits in
 * six groups of five — drawn the same way on the sending and the receiving screen so that two
 * people can compare them group by group, and the dates of directories and remembered receivers.
 */
object Trust {
    /** The six groups, two to a line: what both screens show, and what tests look for. */
    fun lines(fingerprint: String): String =
        fingerprint.trim().split(' ').filter { it.isNotEmpty() }.chunked(2).joinToString("\n") { it.joinToString(" ") }

    /** A fingerprint, large, digits left to right in every language, read group by group aloud. */
    fun view(context: Context, fingerprint: String, size: Float = 30f): TextView = TextView(context).apply {
        text = lines(fingerprint)
        textSize = size
        setTypeface(Typeface.MONOSPACE, Typeface.BOLD)
        setTextColor(Palette.INK)
        setLineSpacing(0f, 1.15f)
        textAlignment = View.TEXT_ALIGNMENT_CENTER
        textDirection = View.TEXT_DIRECTION_LTR // rtl-exempt: digits read left to right in every language
        // TalkBack reads each digit, a pause between groups.
        contentDescription = fingerprint.trim().split(' ').joinToString(", ") { it.toList().joinToString(" ") }
    }

    fun date(seconds: Long): String = DateFormat.getDateInstance(DateFormat.MEDIUM).format(Date(seconds * 1000))
}
