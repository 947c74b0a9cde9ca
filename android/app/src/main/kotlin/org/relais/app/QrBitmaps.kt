package org.relais.app

import android.content.Context
import android.graphics.Bitmap
import android.graphics.Color
import android.graphics.drawable.BitmapDrawable
import android.widget.ImageView
import org.relais.core.QrMatrix

/**
 * Draws the core's QR matrices (receiver keys, handover frames, acknowledgements) as bitmaps a
 * camera reads well: black modules on white, a quiet zone of four light modules all round, and a
 * whole number of pixels per module (no blurred edges between modules).
 */
object QrBitmaps {
    /** Light modules around the symbol, as the QR standard asks. */
    const val QUIET = 4

    /** Modules across the drawn picture, quiet zone included. */
    fun span(matrix: QrMatrix): Int = matrix.size.toInt() + 2 * QUIET

    /** The largest whole number of pixels per module that fits in [maxPx] (at least 1). */
    fun modulePx(matrix: QrMatrix, maxPx: Int): Int = (maxPx / span(matrix)).coerceAtLeast(1)

    /** [matrix] at [modulePx] pixels per module: a square of `span × modulePx` pixels. */
    fun render(matrix: QrMatrix, modulePx: Int): Bitmap {
        require(modulePx >= 1) { "modulePx must be at least 1" }
        val size = matrix.size.toInt()
        val side = span(matrix) * modulePx
        val pixels = IntArray(side * side) { Color.WHITE }
        for (y in 0 until size) {
            for (x in 0 until size) {
                if (matrix.modules[y * size + x].toInt() != 0) fill(pixels, side, x, y, modulePx)
            }
        }
        // RGB_565: half the memory of ARGB_8888, and black and white are exact in it.
        val bitmap = Bitmap.createBitmap(side, side, Bitmap.Config.RGB_565)
        bitmap.setPixels(pixels, 0, side, 0, 0, side, side)
        return bitmap
    }

    /** [matrix] as large as fits in [maxPx] with whole pixels per module. */
    fun fitting(matrix: QrMatrix, maxPx: Int): Bitmap = render(matrix, modulePx(matrix, maxPx))

    /** An image view that shows [bitmap] pixel for pixel (no smoothing of module edges). */
    fun view(context: Context, bitmap: Bitmap? = null): ImageView = ImageView(context).apply {
        scaleType = ImageView.ScaleType.FIT_CENTER
        setBackgroundColor(Color.WHITE)
        bitmap?.let { show(this, it) }
    }

    /** Puts [bitmap] on [view], unsmoothed. */
    fun show(view: ImageView, bitmap: Bitmap) {
        view.setImageDrawable(
            BitmapDrawable(view.resources, bitmap).apply {
                isFilterBitmap = false
                setAntiAlias(false)
            },
        )
    }

    private fun fill(pixels: IntArray, side: Int, x: Int, y: Int, modulePx: Int) {
        val left = (x + QUIET) * modulePx
        val top = (y + QUIET) * modulePx
        for (dy in 0 until modulePx) {
            val row = (top + dy) * side
            for (dx in 0 until modulePx) pixels[row + left + dx] = Color.BLACK
        }
    }
}
