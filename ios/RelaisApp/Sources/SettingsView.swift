import Relais
import SwiftUI

/// Settings: the language (each named in itself), the lock timeout, the passphrase, the duress
/// passphrase, and erasing everything on this phone behind a confirmation.
struct SettingsView: View {
    @EnvironmentObject var model: AppModel
    @State private var fresh = ""
    @State private var freshAgain = ""
    @State private var duress = ""
    @State private var duressAgain = ""
    @State private var message: String?
    @State private var confirmingWipe = false

    static let timeouts = [1, 2, 5, 10]

    var body: some View {
        Page(title: model.t("app.settings.title")) {
            if let message { Banner(text: message, style: .info) }
            Heading(model.t("app.settings.language"))
            ForEach(languages(), id: \.language) { info in
                BigButton(info.language == model.language ? "✓ \(info.name)" : info.name,
                          role: info.language == model.language ? .primary : .normal) {
                    model.language = info.language
                }
            }
            Heading(model.t("app.settings.timeout", ["minutes": String(model.lockTimeoutMinutes)]))
            ForEach(Self.timeouts, id: \.self) { minutes in
                let label = model.t("app.settings.minutes", ["minutes": String(minutes)])
                BigButton(minutes == model.lockTimeoutMinutes ? "✓ \(label)" : label,
                          role: minutes == model.lockTimeoutMinutes ? .primary : .normal) {
                    model.lockTimeoutMinutes = minutes
                }
            }
            Heading(model.t("app.settings.passphrase"))
            InputField(hint: model.t("app.settings.new_passphrase"), text: $fresh, kind: .passphrase)
            InputField(hint: model.t("app.setup.confirm"), text: $freshAgain, kind: .passphrase)
            BigButton(model.t("app.settings.passphrase")) {
                rekey(fresh, freshAgain) { vault, keys, pass in
                    try vault.changePassphrase(newPassphrase: pass, keyProvider: keys)
                }
            }
            Heading(model.t("app.settings.duress"))
            Muted(model.t("app.settings.duress_help"))
            InputField(hint: model.t("app.settings.duress_passphrase"), text: $duress, kind: .passphrase)
            InputField(hint: model.t("app.setup.confirm"), text: $duressAgain, kind: .passphrase)
            BigButton(model.t("app.settings.duress")) {
                rekey(duress, duressAgain) { vault, keys, pass in
                    try vault.setDuressPassphrase(duressPassphrase: pass, keyProvider: keys)
                }
            }
            Heading(model.t("app.settings.wipe"))
            BigButton(model.t("app.settings.wipe"), role: .danger) { confirmingWipe = true }
            BigButton(model.t("app.back")) { model.back() }
        }
        .confirmation(
            model.t("app.settings.wipe_confirm"), isPresented: $confirmingWipe,
            yes: model.t("app.settings.wipe"), no: model.t("app.cancel"), action: wipe
        )
    }

    /// Re-keying derives a new key (about half a second): off the main thread.
    private func rekey(_ first: String, _ second: String,
                       apply: @escaping @Sendable (Vault, KeyProvider, String) throws -> Void) {
        guard first == second else {
            message = model.t("app.setup.mismatch")
            return
        }
        guard let vault = try? model.requireVault() else { return }
        let keys = model.keyProvider
        model.background({ try apply(vault, keys, first) }) { outcome in
            fresh = ""; freshAgain = ""; duress = ""; duressAgain = ""
            switch outcome {
            case .success:
                message = model.t("app.settings.saved")
            case let .failure(error):
                switch error as? VaultError {
                case .Locked?: model.lock()
                case let .WeakPassphrase(minLength)?: message = model.t("app.setup.weak", ["min": String(minLength)])
                case let .GuessablePassphrase(weakness)?: message = model.guessable(weakness)
                case .DuressSameAsPassphrase?: message = model.t("app.settings.duress_same")
                default: message = model.t("app.error.unexpected")
                }
            }
        }
    }

    /// The panic wipe: every key and record, and the files; back to set-up.
    private func wipe() {
        model.lock()
        try? wipeVault(path: model.vaultURL.path)
        (model.keyProvider as? KeychainKeyProvider)?.forget()
        model.goHome()
    }
}
