package org.relais.app

import android.content.Intent
import android.net.Uri
import org.relais.core.DirectoryRefusal
import org.relais.core.DirectoryStatus
import org.relais.core.VaultException
import org.relais.core.readDirectoryFile
import org.relais.core.sampleCoordinatorKey
import org.relais.core.sampleDirectoryFile
import java.io.ByteArrayOutputStream

/**
 * The NRM directory (docs/directory.md): the signed directory in use — who signed it (the
 * coordinator's name and number), its version and date, how many services and organisations it
 * lists, *fictitious* when it is the training sample — and importing a new one from a file. The
 * first import trusts the coordinator once its number was compared in full with the one given at
 * training; later ones must be signed by that coordinator and be newer, else they are refused and
 * the directory in use stays. Also: the receivers this phone verified by their number (each can be
 * forgotten), and this phone's own identity, to give the coordinator to be listed.
 */
class DirectoryActivity : BaseActivity() {
    private var message: String? = null
    private var messageIsRefusal = false

    /** A first import waiting for the coordinator's number to be compared: the file and what it says. */
    private var pendingFile: String? = null
    private var pending: DirectoryStatus? = null

    override fun render() {
        val page = page()
        page.title(t("app.directory.title"))
        message?.let { page.banner(it, danger = messageIsRefusal) }
        val first = pending
        if (first != null) {
            firstImport(page, first)
            return
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
        if (runCatching { vault.hasCoordinator() }.getOrDefault(true).not()) {
            page.button(t("app.directory.sample")) {
                confirm(t("app.directory.sample_confirm"), t("app.directory.sample")) { useSample() }
            }
        }
        pinned(page)
        identity(page)
        show(page)
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
            render()
        }
        show(page)
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
    fun importFile(text: String) {
        message = null
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
        import(sampleDirectoryFile(), sampleCoordinatorKey())
    }

    private fun import(file: String, coordinatorKey: String?) {
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
            null -> t("app.error.unexpected")
            else -> t("app.directory.refused_invalid")
        }
        messageIsRefusal = true
        render()
    }

    companion object {
        private const val PICK_FILE = 41
        /** The largest signed directory the core reads. */
        private const val MAX_FILE = 4 * 1024 * 1024
    }
}
