package org.relais.app

import android.content.pm.ApplicationInfo
import android.os.Looper
import android.view.View
import android.view.ViewGroup
import android.widget.TextView
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.Shadows.shadowOf
import java.io.File

/**
 * Arabic is the next language: every screen must mirror when the language reads from the right.
 * The catalogue has no right-to-left language yet, so the screens are turned by hand here.
 */
@RunWith(RobolectricTestRunner::class)
class RightToLeftTest {
    private val sources = File(repo, "android/app/src/main/kotlin")

    @Test
    fun everyViewOfAScreenFollowsARightToLeftDirection() {
        // The tests run without the manifest (robolectric.properties): give the app what it declares.
        val manifest = File(repo, "android/app/src/main/AndroidManifest.xml").readText()
        assertTrue("the manifest declares right-to-left support", manifest.contains("android:supportsRtl=\"true\""))
        val phone = Phone("a")
        phone.context.applicationInfo.flags = phone.context.applicationInfo.flags or ApplicationInfo.FLAG_SUPPORTS_RTL
        phone.setUp()
        for (screen in listOf(
            phone.launch(HomeActivity::class.java),
            phone.launch(FormActivity::class.java) { putExtra(BaseActivity.EXTRA_FORM, "quick-check") },
            phone.launch(SettingsActivity::class.java),
        )) {
            val root = requireNotNull(screen.findViewById<ViewGroup>(android.R.id.content)).getChildAt(0)
            assertEquals("French reads from the left", View.LAYOUT_DIRECTION_LTR, root.layoutDirection)
            root.layoutDirection = View.LAYOUT_DIRECTION_RTL
            // Directions are resolved by the next layout pass.
            root.requestLayout()
            shadowOf(Looper.getMainLooper()).idle()
            val views = descendants(root)
            assertTrue(views.size > 5)
            for (view in views) {
                assertEquals("$view of ${screen.javaClass.simpleName}", View.LAYOUT_DIRECTION_RTL, view.layoutDirection)
            }
            // Texts start where the language starts (the right, here), never at a fixed side.
            for (text in views.filterIsInstance<TextView>()) {
                assertTrue(
                    "${text.text}: alignment ${text.textAlignment}",
                    text.textAlignment in setOf(View.TEXT_ALIGNMENT_VIEW_START, View.TEXT_ALIGNMENT_CENTER, View.TEXT_ALIGNMENT_GRAVITY),
                )
            }
        }
    }

    private fun descendants(view: View): List<View> =
        listOf(view) + if (view is ViewGroup) (0 until view.childCount).flatMap { descendants(view.getChildAt(it)) } else emptyList()

    @Test
    fun theCodeNamesNoFixedLeftOrRight() {
        val fixed = Regex("""Gravity\.(LEFT|RIGHT)|\b(left|right)Margin\b|TEXT_DIRECTION_LTR|LAYOUT_DIRECTION_LTR""")
        val offenders = sources.walk().filter { it.isFile && it.extension == "kt" }.flatMap { file ->
            file.readLines().mapIndexedNotNull { i, line ->
                val code = line.substringBefore("//")
                // The language's own direction, and a few marked exceptions (digits), are allowed.
                val allowed = code.contains("if (rtl)") || line.contains("// rtl-exempt: ")
                if (fixed.containsMatchIn(code) && !allowed) "${file.name}:${i + 1}: ${line.trim()}" else null
            }
        }.toList()
        assertEquals(emptyList<String>(), offenders)
    }
}
