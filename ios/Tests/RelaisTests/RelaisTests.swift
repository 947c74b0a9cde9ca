import Foundation
import XCTest
@testable import Relais

/// The Swift side of the bindings, run by `swift test` in ios/ on a Mac after scripts/build-ios
/// (the JVM tests in bindings/kotlin cover the same flows on every CI run; these check that the
/// Swift names and types work the way the app uses them).
final class RelaisTests: XCTestCase {
    /// The platform secret as the Keychain provider returns it.
    final class FixedSecret: KeyProvider, @unchecked Sendable {
        let secret: Data
        init(_ secret: String) { self.secret = Data(secret.utf8) }
        func platformSecret() throws -> Data { secret }
    }

    final class RefusingKeychain: KeyProvider, @unchecked Sendable {
        func platformSecret() throws -> Data {
            throw KeyProviderError.Unavailable(reason: "user cancelled")
        }
    }

    // The XCFramework is a release build, which refuses the tests' fast key derivation: real
    // settings (about a second per vault on a Mac).
    let settings = VaultSettings(
        maxFailedUnlocks: 10, retentionDays: nil, unlockTargetMs: 0, insecureFastKdfForTests: false
    )
    let pass = "correct horse 42"

    func vaultPath() throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("relais-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("vault.db").path
    }

    func newVault(_ organisation: String) throws -> Vault {
        let vault = try Vault.create(
            path: vaultPath(), passphrase: pass, keyProvider: FixedSecret(organisation), settings: settings)
        try vault.setOrganisation(name: organisation)
        return vault
    }

    /// Answers every question of a quick check with its first option until the review screen.
    func answerAll(_ interview: Interview) -> Screen {
        var screen = interview.screen()
        var steps = 0
        while screen.kind != .review && steps < 100 {
            guard let question = screen.question else { break }
            if let first = question.options.first {
                screen = interview.choose(first.id)
            } else if question.required, let dontKnow = question.specialOptions.first(where: { $0.id == "dont_know" }) {
                screen = interview.choose(dontKnow.id)
            } else {
                screen = interview.skip()
            }
            steps += 1
        }
        return screen
    }

    func testLanguagesAreFrenchFirst() {
        XCTAssertEqual(languages().map(\.language), [.fr, .en, .es])
        XCTAssertEqual(languages().first?.name, "Français")
    }

    func testVaultUnlocksWithTheSamePassphraseAndSecretOnly() throws {
        let path = try vaultPath()
        let vault = try Vault.create(
            path: path, passphrase: pass, keyProvider: FixedSecret("device"), settings: settings)
        let code = try vault.createCase()
        vault.lock()
        XCTAssertThrowsError(try vault.listCases()) { error in
            XCTAssertEqual(error as? VaultError, .Locked)
        }
        XCTAssertThrowsError(try Vault.unlock(path: path, passphrase: "wrong horse 42", keyProvider: FixedSecret("device"))) { error in
            guard case .WrongPassphrase(let remaining)? = error as? VaultError else {
                return XCTFail("expected WrongPassphrase, got \(error)")
            }
            XCTAssertEqual(remaining, 9)
        }
        XCTAssertThrowsError(try Vault.unlock(path: path, passphrase: pass, keyProvider: RefusingKeychain())) { error in
            guard case .DeviceKeyUnavailable? = error as? VaultError else {
                return XCTFail("expected DeviceKeyUnavailable, got \(error)")
            }
        }
        let reopened = try Vault.unlock(path: path, passphrase: pass, keyProvider: FixedSecret("device"))
        XCTAssertEqual(try reopened.listCases().map(\.code), [code])
    }

    func testAQuickCheckIsScoredAndSavedIntoACase() throws {
        let vault = try newVault("Caritas Kikwit")
        let interview = try Interview(formId: "quick-check", language: .fr, age: nil)
        let review = answerAll(interview)
        XCTAssertEqual(review.kind, .review)
        XCTAssertEqual(review.direction, .ltr)
        let result = try interview.finish()
        XCTAssertFalse(result.outcomeLabel.isEmpty)
        let code = try vault.createCase()
        _ = try vault.saveResult(code: code, interview: interview)
        XCTAssertEqual(try vault.caseDetail(code: code).entries.filter { $0.kind == .screening }.count, 1)
    }

    func testACaseIsHandedOverThroughFrameTexts() throws {
        let sender = try newVault("Caritas Kikwit")
        let receiverVault = try newVault("Maison Lisanga")
        let code = try sender.createCase()
        _ = try sender.addNote(code: code, text: "Parle lingala et français")
        let key = try receiverVault.openReceiveSession(minutes: 10, maxFragment: 939)
        // Not listed: the number compared on both screens, the consent naming the receiver with it.
        let check = try sender.checkReceiver(keyText: key.text)
        _ = try sender.recordConsent(code: code, purpose: .handover, scope: check.consentTarget)
        let out = try sender.sendHandover(
            code: code, receiverKeyText: key.text, confirmedFingerprint: check.fingerprint, remember: false
        )
        let scanner = HandoverReceiver()
        var seq: UInt32 = 1
        var progress = scanner.progress()
        while progress.status != .complete && seq < 200 {
            progress = try scanner.scanText(text: out.frameText(seq: seq))
            seq += 1
        }
        XCTAssertEqual(progress.status, .complete)
        let got = try receiverVault.receiveHandover(receiver: scanner)
        XCTAssertFalse(got.fromVerified)
        XCTAssertEqual(got.fromFingerprint, try sender.identity().fingerprint)
        XCTAssertEqual(try sender.recordAck(ackText: got.ackText), code)
        XCTAssertThrowsError(try scanner.scanText(text: "HELLO WORLD"))

        let matrix = try out.frame(seq: 1)
        XCTAssertEqual(matrix.modules.count, Int(matrix.size * matrix.size))
        XCTAssertTrue(matrix.isDark(x: 0, y: 0), "a finder pattern's corner is dark")
    }
}
