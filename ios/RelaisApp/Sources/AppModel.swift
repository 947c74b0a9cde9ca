import Foundation
import Relais
import SwiftUI

/// Where the app is. The root view shows one screen per route; inside a form, the question or
/// review shown follows the `Screen` the core returns (its `kind`).
enum Route: Hashable {
    case unlock
    case home
    case form(formId: String, caseCode: String?, resume: Bool)
    case result(caseCode: String?)
    case cases
    case caseDetail(code: String)
    case referral(code: String)
    case handoverSend(code: String)
    case handoverReceive
    case directory
    case settings
}

/// What the app holds while it runs: the vault (or none when locked), the route and its way back,
/// the language and the lock timeout. Nothing sensitive is kept outside the vault: the settings are
/// the language and the timeout; the last result and the current case live in memory only and go
/// with the lock.
@MainActor
final class AppModel: ObservableObject {
    @Published private(set) var route: Route = .unlock
    @Published private(set) var vault: Vault?
    @Published var language: Language {
        didSet { defaults.set(Self.code(of: language), forKey: Self.languageKey) }
    }
    @Published var lockTimeoutMinutes: Int {
        didSet { defaults.set(lockTimeoutMinutes, forKey: Self.timeoutKey) }
    }

    /// The result just computed, for the result screen; dropped at lock.
    var lastResult: FormResultView?
    /// The case being worked on; dropped at lock.
    var currentCase: String?

    /// The vault file, in Application Support with complete file protection.
    let vaultURL: URL
    let keyProvider: KeyProvider
    let settings: VaultSettings

    private var backStack: [Route] = []
    private var lastTouch = Date()
    private var lockListeners: [UUID: () -> Void] = [:]
    private let defaults: UserDefaults
    private let work = DispatchQueue(label: "org.relais.work", qos: .userInitiated)

    init(
        vaultURL: URL = AppModel.defaultVaultURL(),
        keyProvider: KeyProvider = KeychainKeyProvider(),
        settings: VaultSettings = AppModel.defaultSettings,
        defaults: UserDefaults = .standard
    ) {
        self.vaultURL = vaultURL
        self.keyProvider = keyProvider
        self.settings = settings
        self.defaults = defaults
        let saved = defaults.string(forKey: Self.languageKey)
        language = languages().first(where: { Self.code(of: $0.language) == saved })?.language ?? .fr
        let minutes = defaults.integer(forKey: Self.timeoutKey)
        lockTimeoutMinutes = minutes > 0 ? minutes : 5
    }

    // MARK: - Texts

    /// App text from the core's catalogue, in the chosen language.
    func t(_ key: String) -> String {
        uiText(language: language, key: key)
    }

    /// App text with its `{placeholders}` filled.
    func t(_ key: String, _ args: [String: String]) -> String {
        uiTextWith(language: language, key: key, args: args)
    }

    /// Why a passphrase long enough was refused, and what to choose instead.
    func guessable(_ weakness: PassphraseWeakness) -> String {
        switch weakness {
        case .blank: return t("app.setup.guessable.blank")
        case .repeated: return t("app.setup.guessable.repeated")
        case .sequence: return t("app.setup.guessable.sequence")
        case .common: return t("app.setup.guessable.common")
        }
    }

    /// Whether the chosen language reads from the right.
    var layoutDirection: LayoutDirection {
        languages().first(where: { $0.language == language })?.direction == .rtl ? .rightToLeft : .leftToRight
    }

    // MARK: - Navigation

    func go(_ next: Route) {
        touch()
        backStack.append(route)
        route = next
    }

    /// Replaces the current screen (a finished form by its result).
    func replace(with next: Route) {
        touch()
        route = next
    }

    func back() {
        touch()
        route = backStack.popLast() ?? (isUnlocked ? .home : .unlock)
    }

    func goHome() {
        touch()
        backStack = []
        route = isUnlocked ? .home : .unlock
    }

    // MARK: - The vault

    var isUnlocked: Bool { vault.map { !$0.isLocked() } ?? false }

    var vaultExists: Bool { FileManager.default.fileExists(atPath: vaultURL.path) }

    /// The unlocked vault; a locked one sends the app back to unlocking and throws.
    func requireVault() throws -> Vault {
        guard let vault, !vault.isLocked() else {
            lock()
            throw VaultError.Locked
        }
        return vault
    }

    /// Runs one vault call for a screen: a locked vault goes back to unlocking; a refusal is told
    /// through [tell] in the screen's words (consent missing, an unknown case, [onInvalid] for a
    /// refused text, otherwise the generic message); nil when it failed.
    func vaultCall<T>(onInvalid: String? = nil, tell: (String) -> Void, _ call: (Vault) throws -> T) -> T? {
        do {
            return try call(try requireVault())
        } catch let error as VaultError {
            switch error {
            case .Locked: lock()
            case .ConsentRequired: tell(t("app.referral.consent_required"))
            case .NoSuch: tell(t("app.case.not_found"))
            case .Invalid: tell(onInvalid ?? t("app.error.unexpected"))
            default: tell(t("app.error.unexpected"))
            }
        } catch {
            tell(t("app.error.unexpected"))
        }
        return nil
    }

    func opened(_ vault: Vault) {
        self.vault = vault
        Self.protect(vaultURL)
        touch()
        backStack = []
        route = .home
    }

    /// Screens with unsaved work (a form in progress) save it here, before any lock.
    func addLockListener(_ action: @escaping () -> Void) -> UUID {
        let id = UUID()
        lockListeners[id] = action
        return id
    }

    func removeLockListener(_ id: UUID) {
        lockListeners[id] = nil
    }

    /// Locks the vault (its keys are zeroized on the Rust side) and forgets what was on screen.
    func lock() {
        if isUnlocked { lockListeners.values.forEach { $0() } }
        vault?.lock()
        vault = nil
        lastResult = nil
        currentCase = nil
        backStack = []
        route = .unlock
    }

    func touch() {
        lastTouch = Date()
    }

    /// Called every few seconds and on coming back to the foreground.
    func checkTimeout(now: Date = Date()) {
        if isUnlocked, now.timeIntervalSince(lastTouch) >= Double(lockTimeoutMinutes * 60) {
            lock()
        }
    }

    /// Runs slow core calls (key derivation, QR encoding) off the main thread, one at a time.
    func background<T>(_ body: @escaping @Sendable () throws -> T, done: @escaping @MainActor (Result<T, Error>) -> Void) {
        work.async {
            let outcome = Result { try body() }
            DispatchQueue.main.async { done(outcome) }
        }
    }

    // MARK: - Defaults

    static let defaultSettings = VaultSettings(
        maxFailedUnlocks: 10, retentionDays: nil, unlockTargetMs: 500, insecureFastKdfForTests: false
    )

    static func defaultVaultURL() -> URL {
        let support = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        let dir = support.appendingPathComponent("Relais", isDirectory: true)
        try? FileManager.default.createDirectory(
            at: dir, withIntermediateDirectories: true,
            attributes: [.protectionKey: FileProtectionType.complete]
        )
        var excluded = dir
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try? excluded.setResourceValues(values)
        return dir.appendingPathComponent("vault.db")
    }

    /// Complete file protection on the vault and its SQLite companions: unreadable while the
    /// device is locked, on top of the vault's own encryption.
    static func protect(_ vaultURL: URL) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let path = vaultURL.path + suffix
            if FileManager.default.fileExists(atPath: path) {
                try? FileManager.default.setAttributes([.protectionKey: FileProtectionType.complete], ofItemAtPath: path)
            }
        }
    }

    private static let languageKey = "language"
    private static let timeoutKey = "lockTimeoutMinutes"

    static func code(of language: Language) -> String {
        switch language {
        case .fr: return "fr"
        case .en: return "en"
        case .es: return "es"
        }
    }
}
