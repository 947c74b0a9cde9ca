package org.relais.app

import android.content.Context
import android.graphics.drawable.GradientDrawable
import android.view.View
import android.widget.Button
import android.widget.LinearLayout
import android.widget.ProgressBar
import org.relais.core.AnswerType
import org.relais.core.Language
import org.relais.core.OptionView
import org.relais.core.Progress
import org.relais.core.languages

/** The rendering pieces the form and result screens share, on top of [Page]. */
internal object FormViews {
    /** The mark in front of a chosen option or the current language (as in Settings). */
    const val CHOSEN = "✓ "

    /** An option's label, marked when it is the current answer. */
    fun optionLabel(option: OptionView): String = if (option.selected) CHOSEN + option.label else option.label

    /** "Question {position} sur {total}" from the core's label template. */
    fun progressText(template: String, progress: Progress): String = template
        .replace("{position}", progress.position.toString())
        .replace("{total}", progress.total.toString())

    /** A thin bar under the progress text. */
    fun progressBar(page: Page, context: Context, percent: UInt) {
        val bar = ProgressBar(context, null, android.R.attr.progressBarStyleHorizontal).apply {
            max = 100
            progress = percent.toInt().coerceIn(0, 100)
        }
        page.view(bar, top = 4)
    }

    /** How a typed answer is entered: numbers and dates get their keyboards. */
    fun fieldKind(type: AnswerType): Field = when (type) {
        AnswerType.NUMBER -> Field.NUMBER
        AnswerType.DATE -> Field.DATE
        else -> Field.NOTE
    }

    /**
     * One row of buttons, one per language the form offers, each named in itself; the current one
     * is marked. Tapping another switches the form's language (answers are kept).
     */
    fun languageRow(page: Page, context: Context, offered: List<Language>, current: Language, onPick: (Language) -> Unit) {
        val named = languages().filter { it.language in offered }
        if (named.size < 2) return
        val row = LinearLayout(context).apply {
            orientation = LinearLayout.HORIZONTAL
            layoutDirection = View.LAYOUT_DIRECTION_INHERIT
        }
        for (info in named) {
            val chosen = info.language == current
            val button = Button(context).apply {
                text = if (chosen) CHOSEN + info.name else info.name
                isAllCaps = false
                textSize = 15f
                minHeight = context.dp(48)
                if (chosen) {
                    setTextColor(Palette.ON_ACCENT)
                    background = GradientDrawable().apply {
                        setColor(Palette.ACCENT)
                        cornerRadius = context.dp(8).toFloat()
                    }
                }
                setOnClickListener { if (!chosen) onPick(info.language) }
            }
            val params = LinearLayout.LayoutParams(0, LinearLayout.LayoutParams.WRAP_CONTENT, 1f)
            params.marginEnd = context.dp(6)
            row.addView(button, params)
        }
        page.view(row, top = 6)
    }

    /** A list of short lines, each on its own line with a bullet. */
    fun bullets(page: Page, lines: List<String>) {
        for (line in lines) page.body("• $line")
    }
}
