import Foundation
import Relais

/// The steps of the NRM directory screen, apart from its view (DirectoryView.swift) so that tests
/// walk through them (docs/directory.md): the signed directory in use, a file imported, picked or
/// read from the animated QR codes the coordinator shows (`relais directory frames`; the codes are
/// read with `FrameReading`, as on "Receive a case") — the first one trusting its coordinator once
/// the coordinator's number was compared in full; later ones signed by that coordinator and newer,
/// else refused with the directory in use unchanged —, the training sample, forgetting the
/// directory and its coordinator (a training phone moving to the real directory), the receivers
/// remembered by their number, and this phone's identity. (Mirrors the Android `DirectoryActivity`.)
@MainActor
final class DirectoryFlow: ObservableObject {
    @Published private(set) var current: DirectoryStatus?
    @Published private(set) var trustsCoordinator = false
    @Published private(set) var pinned: [PinnedReceiverView] = []
    @Published private(set) var identity: IdentityView?
    /// What the last action did, or why it was refused.
    @Published private(set) var message: String?
    @Published private(set) var messageIsRefusal = false
    /// A first import waiting for the coordinator's number to be compared.
    @Published private(set) var pending: DirectoryStatus?
    /// The camera is reading the coordinator's codes.
    @Published private(set) var scanning = false
    @Published private(set) var scanProgress: ScanProgress?
    /// Why the codes being read cannot be used (codes of two messages); nil while reading.
    @Published private(set) var scanFailure: String?
    private var pendingFile: String?
    private var reading: FrameReading?
    /// The directory being imported was read from QR codes (a refusal says "these codes").
    private var fromCodes = false
    private weak var model: AppModel?

    /// The largest signed directory file the core reads.
    static let maxFile = 4 * 1024 * 1024

    func start(_ model: AppModel) {
        guard self.model == nil else { return }
        self.model = model
        load()
    }

    func load() {
        guard let model else { return }
        do {
            let vault = try model.requireVault()
            current = try vault.directoryStatus()
            trustsCoordinator = try vault.hasCoordinator()
            pinned = try vault.pinnedReceivers()
            identity = try vault.identity()
        } catch VaultError.Locked {
            model.lock()
        } catch {
            tell(t("app.error.unexpected"), refusal: true)
        }
    }

    /// A file picked by the worker, read through its security-scoped URL.
    func importFile(at url: URL) {
        let scoped = url.startAccessingSecurityScopedResource()
        defer { if scoped { url.stopAccessingSecurityScopedResource() } }
        guard let data = try? Data(contentsOf: url), data.count <= Self.maxFile,
              let text = String(data: data, encoding: .utf8) else {
            tell(t("app.directory.read_failed"), refusal: true)
            return
        }
        importFile(text)
    }

    /// Starts reading the coordinator's codes from nothing.
    func startScan() {
        message = nil
        scanFailure = nil
        let reading = FrameReading()
        self.reading = reading
        scanProgress = reading.progress
        scanning = true
    }

    func cancelScan() {
        scanning = false
        reading = nil
    }

    /// One decoded QR text from the camera; once the codes are all read, the file they carry goes
    /// the way of a picked file.
    func frameText(_ text: String) {
        guard scanning, scanFailure == nil, let reading else { return }
        model?.touch()
        switch reading.take(text) {
        case .reading:
            scanProgress = reading.progress
        case .several:
            scanFailure = t("app.directory.scan_several")
        case let .complete(receiver):
            scanProgress = reading.progress
            scanned(receiver)
        }
    }

    /// What the progress line says while reading.
    var scanProgressText: String {
        FrameReading.progressText(scanProgress, model: model, waitingKey: "app.directory.scan_waiting")
    }

    private func scanned(_ receiver: HandoverReceiver) {
        cancelScan()
        do {
            let text = try receiver.directoryFile()
            importFile(text, fromCodes: true)
        } catch {
            fromCodes = true
            refused(error)
        }
    }

    /// A directory file's text: imported at once when a coordinator is trusted; the first one
    /// waits for the coordinator's number to be compared.
    func importFile(_ text: String, fromCodes: Bool = false) {
        guard model != nil else { return }
        message = nil
        self.fromCodes = fromCodes
        if trustsCoordinator {
            importDirectory(text, coordinatorKey: nil)
            return
        }
        do {
            pending = try readDirectoryFile(file: text)
            pendingFile = text
        } catch {
            refused(error)
        }
    }

    /// "Same number — trust this coordinator".
    func trust() {
        guard let file = pendingFile, let key = pending?.coordinatorKey else { return }
        cancelPending()
        importDirectory(file, coordinatorKey: key)
    }

    func cancelPending() {
        pending = nil
        pendingFile = nil
    }

    /// The fictitious training sample (after the screen's warning).
    func useSample() {
        fromCodes = false
        importDirectory(sampleDirectoryFile(), coordinatorKey: sampleCoordinatorKey())
    }

    /// Forgets the directory in use and its coordinator (after the screen's warning and its box
    /// ticked): no receiver is verified by the directory until a new one is imported.
    func resetTrust() {
        guard let model else { return }
        do {
            try model.requireVault().resetDirectoryTrust()
            tell(t("app.directory.reset_done"), refusal: false)
        } catch VaultError.Locked {
            model.lock()
            return
        } catch {
            tell(t("app.error.unexpected"), refusal: true)
        }
        load()
    }

    func forget(_ receiver: PinnedReceiverView) {
        guard let model else { return }
        do {
            try model.requireVault().forgetReceiver(fingerprint: receiver.fingerprint)
            message = nil
        } catch VaultError.Locked {
            model.lock()
            return
        } catch {
            tell(t("app.error.unexpected"), refusal: true)
        }
        load()
    }

    private func importDirectory(_ file: String, coordinatorKey: String?) {
        guard let model else { return }
        do {
            let d = try model.requireVault().importDirectory(file: file, coordinatorKeyHex: coordinatorKey)
            tell(d.changed ? model.t("app.directory.imported", ["version": String(d.version)]) : t("app.directory.unchanged"), refusal: false)
        } catch VaultError.Locked {
            model.lock()
            return
        } catch {
            refused(error)
        }
        load()
    }

    /// A refusal, in the screen's words; the directory in use stays.
    private func refused(_ error: Error) {
        guard case let .Directory(refusal, _)? = error as? VaultError else {
            tell(fromCodes ? t("app.directory.refused_frames") : t("app.error.unexpected"), refusal: true)
            return
        }
        switch refusal {
        case .otherCoordinator: tell(t("app.directory.refused_other"), refusal: true)
        case .badSignature: tell(t("app.directory.refused_signature"), refusal: true)
        case .older:
            let version = current.map { String($0.version) } ?? "0"
            tell(model?.t("app.directory.refused_older", ["version": version]) ?? "", refusal: true)
        default: tell(fromCodes ? t("app.directory.refused_frames") : t("app.directory.refused_invalid"), refusal: true)
        }
    }

    private func tell(_ text: String, refusal: Bool) {
        message = text
        messageIsRefusal = refusal
    }

    private func t(_ key: String) -> String {
        model?.t(key) ?? key
    }
}
