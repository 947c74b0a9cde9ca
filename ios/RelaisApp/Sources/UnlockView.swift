import Relais
import SwiftUI

/// The app's entry: on first run, setting up the vault (organisation, passphrase or PIN typed
/// twice); afterwards, unlocking it. A wrong passphrase says how many attempts remain before the
/// vault erases itself; the duress passphrase, typed here like the real one, silently erases
/// everything and opens an empty vault (the core does it; nothing on screen differs).
struct UnlockView: View {
    @EnvironmentObject var model: AppModel
    @State private var organisation = ""
    @State private var passphrase = ""
    @State private var again = ""
    @State private var message: String?
    @State private var busy = false

    var body: some View {
        if model.vaultExists { unlockPage } else { setupPage }
    }

    private var setupPage: some View {
        Page(title: model.t("app.setup.title")) {
            BodyText(model.t("app.setup.intro"))
            InputField(hint: model.t("app.setup.organisation"), text: $organisation)
            InputField(hint: model.t("app.setup.passphrase"), text: $passphrase, kind: .passphrase)
            InputField(hint: model.t("app.setup.confirm"), text: $again, kind: .passphrase)
            if let message { Banner(text: message) }
            BigButton(busy ? model.t("app.working") : model.t("app.setup.create"), role: .primary) {
                guard !busy else { return }
                let name = organisation.trimmingCharacters(in: .whitespacesAndNewlines)
                if name.isEmpty {
                    message = model.t("app.setup.organisation_missing")
                } else if passphrase != again {
                    message = model.t("app.setup.mismatch")
                } else {
                    create(organisation: name, passphrase: passphrase)
                }
            }
        }
    }

    private var unlockPage: some View {
        Page(title: model.t("app.unlock.title")) {
            InputField(hint: model.t("app.unlock.passphrase"), text: $passphrase, kind: .passphrase)
            if let message { Banner(text: message) }
            BigButton(busy ? model.t("app.working") : model.t("app.unlock.button"), role: .primary) {
                if !busy { unlock(passphrase) }
            }
        }
    }

    private func create(organisation: String, passphrase: String) {
        busy = true
        message = nil
        let path = model.vaultURL.path
        let keys = model.keyProvider
        let settings = model.settings
        model.background({
            let vault = try Vault.create(path: path, passphrase: passphrase, keyProvider: keys, settings: settings)
            try vault.setOrganisation(name: organisation)
            return vault
        }) { outcome in finished(outcome) }
    }

    private func unlock(_ passphrase: String) {
        busy = true
        message = nil
        let path = model.vaultURL.path
        let keys = model.keyProvider
        model.background({
            try Vault.unlock(path: path, passphrase: passphrase, keyProvider: keys)
        }) { outcome in finished(outcome) }
    }

    private func finished(_ outcome: Result<Vault, Error>) {
        busy = false
        switch outcome {
        case let .success(vault):
            passphrase = ""
            again = ""
            model.opened(vault)
        case let .failure(error):
            message = text(for: error)
        }
    }

    /// The screen's own words for each failure, never the error's message.
    private func text(for error: Error) -> String {
        guard let error = error as? VaultError else { return model.t("app.error.unexpected") }
        switch error {
        case let .WrongPassphrase(remaining):
            return model.t("app.unlock.wrong", ["remaining": String(remaining)])
        case let .TooSoon(seconds):
            return model.t("app.unlock.too_soon", ["seconds": String(seconds)])
        case .Erased:
            // Nothing is left to open: clear the remains so that set-up can start again.
            try? wipeVault(path: model.vaultURL.path)
            return model.t("app.unlock.erased")
        case let .WeakPassphrase(minLength):
            return model.t("app.setup.weak", ["min": String(minLength)])
        case let .GuessablePassphrase(weakness):
            return model.guessable(weakness)
        case .DeviceKeyUnavailable:
            return model.t("app.unlock.device_key")
        case .NotAVault, .Tampered:
            return model.t("app.unlock.damaged")
        default:
            return model.t("app.error.unexpected")
        }
    }
}
