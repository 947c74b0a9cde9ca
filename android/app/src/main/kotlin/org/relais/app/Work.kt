package org.relais.app

import android.os.Handler
import android.os.Looper
import java.util.concurrent.Executors

/**
 * Slow core calls (deriving a key takes about half a second by design; encoding QR frames a few
 * milliseconds each) run off the UI thread, one at a time, and hand their outcome back on it.
 */
object Work {
    private val worker = Executors.newSingleThreadExecutor { r -> Thread(r, "relais-work").apply { isDaemon = true } }
    private val main = Handler(Looper.getMainLooper())

    /** Tasks started and not yet delivered (tests wait for zero). */
    @Volatile
    var pending = 0
        private set

    fun <T> run(task: () -> T, done: (Result<T>) -> Unit) {
        synchronized(this) { pending++ }
        worker.execute {
            val outcome = runCatching(task)
            main.post {
                synchronized(this) { pending-- }
                done(outcome)
            }
        }
    }
}
