import Foundation
import Relais
import XCTest
@testable import RelaisApp

/// The Keychain's stand-in in the app's tests: a fixed device secret.
final class FixedSecret: KeyProvider, @unchecked Sendable {
    func platformSecret() throws -> Data { Data("device".utf8) }
}

/// An app model over a vault file of its own in a fresh temporary folder, with its own settings
/// store and a fast unlock (no vault yet).
@MainActor
func makeModel() throws -> AppModel {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("relais-app-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let defaults = try XCTUnwrap(UserDefaults(suiteName: "relais-tests-\(UUID().uuidString)"))
    return AppModel(
        vaultURL: dir.appendingPathComponent("vault.db"), keyProvider: FixedSecret(),
        settings: VaultSettings(maxFailedUnlocks: 10, retentionDays: nil, unlockTargetMs: 0, insecureFastKdfForTests: false),
        defaults: defaults
    )
}

/// Creates [model]'s vault and opens the app on it, as the set-up screen does.
@MainActor
func createVault(for model: AppModel) throws {
    let vault = try Vault.create(
        path: model.vaultURL.path, passphrase: "correct horse 42", keyProvider: model.keyProvider,
        settings: model.settings
    )
    model.opened(vault)
}

/// An app opened on a new vault that belongs to [organisation].
@MainActor
func openedApp(organisation: String) throws -> AppModel {
    let model = try makeModel()
    try createVault(for: model)
    try model.requireVault().setOrganisation(name: organisation)
    return model
}
