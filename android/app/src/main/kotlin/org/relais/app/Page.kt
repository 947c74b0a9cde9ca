package org.relais.app

import android.content.Context
import android.graphics.Typeface
import android.graphics.drawable.GradientDrawable
import android.text.InputType
import android.view.Gravity
import android.view.View
import android.view.ViewGroup
import android.view.inputmethod.EditorInfo
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.ImageView
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView

/** The few colours the app uses: dark text on white, one accent, red for danger. */
object Palette {
    const val INK = 0xFF1B1B1F.toInt()
    const val MUTED = 0xFF5F6368.toInt()
    const val ACCENT = 0xFF0B57D0.toInt()
    const val ON_ACCENT = 0xFFFFFFFF.toInt()
    const val DANGER = 0xFFB3261E.toInt()
    const val DANGER_SOFT = 0xFFFCE8E6.toInt()
    const val NOTICE_SOFT = 0xFFFFF4CE.toInt()
    const val SURFACE = 0xFFFFFFFF.toInt()
    const val LINE = 0xFFDADCE0.toInt()
}

/** What kind of input a text field takes; sensitive kinds never feed the keyboard's learning. */
enum class Field { TEXT, NOTE, NUMBER, DATE, PASSPHRASE }

fun Context.dp(value: Int): Int = (value * resources.displayMetrics.density).toInt()

/**
 * One screen of the app, built in code with the platform's widgets: a scrolling column of
 * titles, texts and large buttons (48 dp and more: gloves, sun, cheap touch screens). Texts start
 * where the language reads from (right-to-left ready).
 */
class Page(private val context: Context) {
    val column = LinearLayout(context).apply {
        orientation = LinearLayout.VERTICAL
        val pad = context.dp(16)
        setPadding(pad, pad, pad, pad)
        layoutDirection = View.LAYOUT_DIRECTION_INHERIT
    }
    val root: View = ScrollView(context).apply {
        setBackgroundColor(Palette.SURFACE)
        isFillViewport = true
        addView(column, ViewGroup.LayoutParams(ViewGroup.LayoutParams.MATCH_PARENT, ViewGroup.LayoutParams.WRAP_CONTENT))
    }

    private fun <V : View> add(view: V, top: Int = 8): V {
        val params = LinearLayout.LayoutParams(LinearLayout.LayoutParams.MATCH_PARENT, LinearLayout.LayoutParams.WRAP_CONTENT)
        params.topMargin = context.dp(top)
        column.addView(view, params)
        return view
    }

    private fun text(value: String, size: Float, color: Int = Palette.INK, bold: Boolean = false) =
        TextView(context).apply {
            text = value
            textSize = size
            setTextColor(color)
            textAlignment = View.TEXT_ALIGNMENT_VIEW_START
            textDirection = View.TEXT_DIRECTION_LOCALE
            if (bold) setTypeface(typeface, Typeface.BOLD)
        }

    fun title(value: String): TextView = add(text(value, 24f, bold = true), top = 4)
    fun heading(value: String): TextView = add(text(value, 19f, bold = true), top = 20)
    fun body(value: String): TextView = add(text(value, 17f))
    fun muted(value: String): TextView = add(text(value, 15f, Palette.MUTED))

    /** A message the user must not miss: red for danger and refusals, yellow for notices. */
    fun banner(value: String, danger: Boolean = true): TextView = add(
        text(value, 17f, if (danger) Palette.DANGER else Palette.INK, bold = danger).apply {
            val pad = context.dp(12)
            setPadding(pad, pad, pad, pad)
            background = GradientDrawable().apply {
                setColor(if (danger) Palette.DANGER_SOFT else Palette.NOTICE_SOFT)
                cornerRadius = context.dp(8).toFloat()
            }
        },
        top = 12,
    )

    fun button(label: String, primary: Boolean = false, danger: Boolean = false, onClick: () -> Unit): Button =
        add(
            Button(context).apply {
                text = label
                isAllCaps = false
                textSize = 17f
                minHeight = context.dp(52)
                textAlignment = View.TEXT_ALIGNMENT_CENTER
                if (primary || danger) {
                    setTextColor(Palette.ON_ACCENT)
                    background = GradientDrawable().apply {
                        setColor(if (danger) Palette.DANGER else Palette.ACCENT)
                        cornerRadius = context.dp(8).toFloat()
                    }
                }
                setOnClickListener { onClick() }
            },
            top = 10,
        )

    fun field(hint: String, kind: Field = Field.TEXT, value: String? = null): EditText = add(
        EditText(context).apply {
            this.hint = hint
            textSize = 18f
            minHeight = context.dp(52)
            textAlignment = View.TEXT_ALIGNMENT_VIEW_START
            value?.let { setText(it) }
            val noLearning = InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS
            inputType = when (kind) {
                Field.TEXT -> InputType.TYPE_CLASS_TEXT or noLearning
                Field.NOTE -> InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_MULTI_LINE or noLearning
                Field.NUMBER -> InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_FLAG_DECIMAL
                Field.DATE -> InputType.TYPE_CLASS_DATETIME or InputType.TYPE_DATETIME_VARIATION_DATE
                Field.PASSPHRASE -> InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_PASSWORD or noLearning
            }
            // What is typed about a person must not train the keyboard (API 26+; ignored below).
            imeOptions = imeOptions or EditorInfo.IME_FLAG_NO_PERSONALIZED_LEARNING
        },
    )

    fun checkbox(label: String, checked: Boolean = false): CheckBox = add(
        CheckBox(context).apply {
            text = label
            textSize = 17f
            isChecked = checked
            minHeight = context.dp(48)
        },
    )

    fun image(view: ImageView, size: Int): ImageView {
        val params = LinearLayout.LayoutParams(size, size)
        params.gravity = Gravity.CENTER_HORIZONTAL
        params.topMargin = context.dp(12)
        column.addView(view, params)
        return view
    }

    fun divider(): View = add(View(context).apply { setBackgroundColor(Palette.LINE) }, top = 16).also {
        it.layoutParams.height = context.dp(1)
    }

    /** Any other view, full width. */
    fun <V : View> view(view: V, top: Int = 8): V = add(view, top)
}
