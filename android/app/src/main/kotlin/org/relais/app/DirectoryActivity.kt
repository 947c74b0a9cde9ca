package org.relais.app

import android.content.Intent
import android.net.Uri
import android.view.WindowManager
import org.relais.core.DirectoryRefusal
import org.relais.core.DirectoryStatus
import org.relais.core.HandoverReceiver
import org.relais.core.VaultException
import org.relais.core.readDirectoryFile
import org.relais.core.sampleCoordinatorKey
import org.relais.core.sampleDirectoryFile
import java.io.ByteArrayOutputStream

/**
 * The NRM directory (docs/directory.md): the signed directory in use — who signed it (the
 * coordinator's name and number), its version and date, how many services and organisations it
 * lists, *fictitious* when it is the training sample — and importing a new one from a file or by
 * scanning the animated QR codes the coordinator shows (`relais directory frames`; the camera and
 * the frames read are [FrameScan]'s, as on "Receive a case"). Either way the first import trusts
 * the coordinator once its number was compared in full with the one given at training; later ones
 * must be signed by that coordinator and be newer, else they are refused and the directory in use
 * stays. The directory and its coordinator can be forgotten, behind a warning, for a training phone
 * moving to the real directory. Also: the receivers this phone verified by their number (each can
 * be forgotten), and this phone's own identity, to give the coordinator to be listed.
 */
class DirectoryActivity : BaseActivity() {
    private enum class Step { STATUS, SCANNING, FIRST_IMPORT, RESET }

    private var step = Step.STATUS
    private var message: String? = null
    private var messageIsRefusal = false

    /** A first import waiting for the coordinator's number to be compared: the file and what it says. */
    private var pendingFile: String? = null
    private var pending: DirectoryStatus? = null

    /** The directory being imported was read from QR codes (a refusal says "these codes"). */
    private var fromCodes = false

    private val frames = FrameScan(
        this,
        waitingKey = "app.directory.scan_waiting",
        accepting = { step == Step.SCANNING && scanFailed == null },
        onComplete = ::scanned,
        onSeveral = {
            scanFailed = t("app.directory.scan_several")
            render()
        },
    )

    /** Why the codes being scanned cannot be used (codes of two messages); null while scanning. */
    private var scanFailed: String? = null

    override fun render() {
        frames.stop()
        frames.detach()
        keepLit(step == Step.SCANNING)
        val page = page()
        page.title(t("app.directory.title"))
        message?.let { page.banner(it, danger = messageIsRefusal) }
        when (step) {
            Step.STATUS -> Unit
            Step.SCANNING -> return scanPage(page)
            Step.RESET -> return resetPage(page)
            Step.FIRST_IMPORT -> {
                val first = pending
                if (first != null) return firstImport(page, first)
                step = Step.STATUS
            }
        }
        val current = try {
            vault.directoryStatus()
        } catch (e: VaultException.Locked) {
            return toUnlock()
        } catch (e: VaultException) {
            page.banner(t("app.error.unexpected"))
            null
        }
        if (current == null) page.banner(t("app.directory.none"), danger = false) else status(page, current)

        page.button(t("app.directory.import"), primary = true) { pick() }
        page.muted(t("app.directory.import_help"))
        page.button(t("app.directory.scan"), primary = true) { startScan() }
        page.muted(t("app.directory.scan_help"))
        val trusted = runCatching { vault.hasCoordinator() }.getOrNull()
        if (trusted == false) {
            page.button(t("app.directory.sample")) {
                confirm(t("app.directory.sample_confirm"), t("app.directory.sample")) { useSample() }
            }
        }
        pinned(page)
        identity(page)
        if (trusted == true) {
            page.divider()
            page.button(t("app.directory.reset"), danger = true) {
                message = null
                step = Step.RESET
                render()
            }
        }
        show(page)
    }

    override fun onResume() {
        super.onResume()
        if (!isFinishing && step == Step.SCANNING && scanFailed == null) frames.start()
    }

    override fun onPause() {
        frames.stop()
        super.onPause()
    }

    override fun onDestroy() {
        frames.close()
        super.onDestroy()
    }

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        frames.permissionResult(requestCode, grantResults)
    }

    /** The screen stays lit while the camera reads the coordinator's codes (a minute or more). */
    private fun keepLit(lit: Boolean) {
        if (lit) {
            window.addFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        } else {
            window.clearFlags(WindowManager.LayoutParams.FLAG_KEEP_SCREEN_ON)
        }
    }

    private fun status(page: Page, d: DirectoryStatus) {
        page.heading(
            t("app.directory.status", "name" to d.name, "version" to d.version.toString(), "date" to Trust.date(d.issuedAt)),
        )
        if (d.fictitious) page.banner(t("app.directory.fictitious"), danger = false)
        page.body(t("app.directory.signed_by", "coordinator" to d.coordinatorName))
        page.muted(t("app.directory.coordinator_number"))
        page.view(Trust.view(this, d.coordinatorFingerprint, size = 20f), top = 4)
        page.body(
            t("app.directory.counts", "services" to d.services.toString(), "organisations" to d.organisations.toString()),
        )
    }

    /** The first import: who signed the file, and the coordinator's number to compare first. */
    private fun firstImport(page: Page, d: DirectoryStatus) {
        page.heading(t("app.directory.first_title"))
        page.body(t("app.directory.first_help"))
        page.body(t("app.directory.signed_by", "coordinator" to d.coordinatorName))
        page.muted(t("app.directory.coordinator_number"))
        page.view(Trust.view(this, d.coordinatorFingerprint), top = 4)
        if (d.fictitious) page.banner(t("app.directory.fictitious"), danger = false)
        page.button(t("app.directory.trust"), primary = true) { trust() }
        page.button(t("app.cancel")) {
            pending = null
            pendingFile = null
            message = null
            step = Step.STATUS
            render()
        }
        show(page)
    }

    /** Scanning the coordinator's codes: how far it has come, and the camera. */
    private fun scanPage(page: Page) {
        page.heading(t("app.directory.scan_title"))
        val failed = scanFailed
        if (failed != null) {
            page.banner(failed)
            page.button(t("app.directory.scan_again"), primary = true) { startScan() }
        } else {
            page.body(t("app.directory.scan_steps"))
            frames.addTo(page)
        }
        page.button(t("app.cancel")) {
            step = Step.STATUS
            render()
        }
        show(page)
    }

    /**
     * Forgetting the directory and its coordinator: what it means, what is forgotten, a box to
     * tick before the red button does anything, and *Cancel*.
     */
    private fun resetPage(page: Page) {
        page.heading(t("app.directory.reset_title"))
        page.banner(t("app.directory.reset_warning"))
        runCatching { vault.directoryStatus() }.getOrNull()?.let { status(page, it) }
        val understood = page.checkbox(t("app.directory.reset_understood"))
        // Disabled until the box is ticked, and checked again on the tap itself.
        val forget = page.button(t("app.directory.reset_confirm"), danger = true) { if (understood.isChecked) reset() }
        fun enable(on: Boolean) {
            forget.isEnabled = on
            forget.alpha = if (on) 1f else 0.4f
        }
        enable(false)
        understood.setOnCheckedChangeListener { _, checked -> enable(checked) }
        page.button(t("app.cancel")) {
            step = Step.STATUS
            render()
        }
        show(page)
    }

    private fun reset() {
        step = Step.STATUS
        try {
            vault.resetDirectoryTrust()
            message = t("app.directory.reset_done")
            messageIsRefusal = false
        } catch (e: VaultException.Locked) {
            return toUnlock()
        } catch (e: VaultException) {
            message = t("app.error.unexpected")
            messageIsRefusal = true
        }
        render()
    }

    private fun pinned(page: Page) {
        val remembered = runCatching { vault.pinnedReceivers() }.getOrDefault(emptyList())
        if (remembered.isEmpty()) return
        page.heading(t("app.directory.pinned_title"))
        for (r in remembered) {
            page.body(t("app.directory.pinned_line", "organisation" to r.organisation, "date" to Trust.date(r.pinnedAt)))
            page.view(Trust.view(this, r.fingerprint, size = 16f), top = 2)
            page.button(t("app.directory.forget", "organisation" to r.organisation)) {
                message = null
                vaultCall(t("app.error.unexpected"), ::tell) { vault.forgetReceiver(r.fingerprint) }
                render()
            }
        }
    }

    private fun identity(page: Page) {
        val me = runCatching { vault.identity() }.getOrNull() ?: return
        page.heading(t("app.directory.identity_title"))
        page.muted(t("app.directory.identity_help"))
        page.view(Trust.view(this, me.fingerprint, size = 20f), top = 4)
        page.muted(me.keyHex).apply { setTextIsSelectable(true) }
    }

    private fun tell(text: String) {
        message = text
        messageIsRefusal = true
    }

    // --- importing --------------------------------------------------------------------------------

    private fun startScan() {
        message = null
        scanFailed = null
        step = Step.SCANNING
        frames.restart()
        render()
        frames.start()
    }

    /** One decoded QR text (the camera's decoder path, and tests). */
    fun onFrameText(text: String) = frames.onText(text)

    /** One camera frame's luminance (`width × height` bytes), read by the core's decoder. */
    fun onLuma(width: Int, height: Int, luma: ByteArray) = frames.onLuma(width, height, luma)

    /** The codes are all read: the file they carry goes the way of a picked file. */
    private fun scanned(receiver: HandoverReceiver) {
        step = Step.STATUS
        val text = try {
            receiver.directoryFile()
        } catch (e: VaultException) {
            fromCodes = true
            return refused(e)
        }
        importFile(text, fromCodes = true)
    }

    /** The system's file picker (no storage permission needed); its result comes back below. */
    private fun pick() {
        val intent = Intent(Intent.ACTION_OPEN_DOCUMENT)
            .addCategory(Intent.CATEGORY_OPENABLE)
            .setType("*/*")
            .putExtra(Intent.EXTRA_MIME_TYPES, arrayOf("application/json", "text/plain", "application/octet-stream"))
        state.leavingForResult()
        @Suppress("DEPRECATION") // the platform's own form: the app uses no AndroidX
        startActivityForResult(intent, PICK_FILE)
    }

    @Deprecated("Deprecated in Java")
    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        @Suppress("DEPRECATION")
        super.onActivityResult(requestCode, resultCode, data)
        if (requestCode != PICK_FILE || resultCode != RESULT_OK) return
        val uri = data?.data ?: return
        if (!state.isUnlocked) return toUnlock()
        val text = read(uri)
        if (text == null) {
            message = t("app.directory.read_failed")
            messageIsRefusal = true
            render()
        } else {
            importFile(text)
        }
    }

    /** The file's text; null when it cannot be read or is larger than any directory. */
    private fun read(uri: Uri): String? = runCatching {
        contentResolver.openInputStream(uri)?.use { input ->
            val out = ByteArrayOutputStream()
            val buffer = ByteArray(16 * 1024)
            while (true) {
                val n = input.read(buffer)
                if (n < 0) break
                out.write(buffer, 0, n)
                if (out.size() > MAX_FILE) return@use null
            }
            out.toString(Charsets.UTF_8.name())
        }
    }.getOrNull()

    /**
     * A directory file's text (from the picker; tests call it directly). With a coordinator
     * trusted already it is imported at once; the first one waits for the coordinator's number to
     * be compared.
     */
    fun importFile(text: String, fromCodes: Boolean = false) {
        message = null
        step = Step.STATUS
        this.fromCodes = fromCodes
        val trusted = try {
            vault.hasCoordinator()
        } catch (e: VaultException.Locked) {
            return toUnlock()
        } catch (e: VaultException) {
            return refused(e)
        }
        if (trusted) {
            import(text, null)
            return
        }
        try {
            pending = readDirectoryFile(text)
            pendingFile = text
            step = Step.FIRST_IMPORT
        } catch (e: VaultException) {
            return refused(e)
        }
        render()
    }

    private fun trust() {
        val file = pendingFile ?: return
        val key = pending?.coordinatorKey ?: return
        pending = null
        pendingFile = null
        import(file, key)
    }

    private fun useSample() {
        fromCodes = false
        import(sampleDirectoryFile(), sampleCoordinatorKey())
    }

    private fun import(file: String, coordinatorKey: String?) {
        step = Step.STATUS
        try {
            val d = vault.importDirectory(file, coordinatorKey)
            message = if (d.changed) {
                t("app.directory.imported", "version" to d.version.toString())
            } else {
                t("app.directory.unchanged")
            }
            messageIsRefusal = false
        } catch (e: VaultException.Locked) {
            return toUnlock()
        } catch (e: VaultException) {
            return refused(e)
        }
        render()
    }

    /** A refusal, in the screen's words; the directory in use stays. */
    private fun refused(e: VaultException) {
        message = when ((e as? VaultException.Directory)?.refusal) {
            DirectoryRefusal.OTHER_COORDINATOR -> t("app.directory.refused_other")
            DirectoryRefusal.BAD_SIGNATURE -> t("app.directory.refused_signature")
            DirectoryRefusal.OLDER -> t(
                "app.directory.refused_older",
                "version" to (runCatching { vault.directoryStatus()?.version }.getOrNull() ?: 0uL).toString(),
            )
            null -> if (fromCodes) t("app.directory.refused_frames") else t("app.error.unexpected")
            else -> if (fromCodes) t("app.directory.refused_frames") else t("app.directory.refused_invalid")
        }
        messageIsRefusal = true
        step = Step.STATUS
        render()
    }

    companion object {
        private const val PICK_FILE = 41
        /** The largest signed directory the core reads. */
        private const val MAX_FILE = 4 * 1024 * 1024
    }
}
