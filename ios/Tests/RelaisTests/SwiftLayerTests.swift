import Foundation
import XCTest
@testable import Relais

/// The hand-written Swift layer (Relais+Platform.swift) and the calls the app makes that the other
/// tests do not: drafts kept in the vault, the handover consent naming the key's organisation,
/// texts with placeholders. Run by `swift test` in ios/ on a Mac after scripts/build-ios.
final class SwiftLayerTests: XCTestCase {
    final class FixedSecret: KeyProvider, @unchecked Sendable {
        let secret: Data
        init(_ secret: String) { self.secret = Data(secret.utf8) }
        func platformSecret() throws -> Data { secret }
    }

    let settings = VaultSettings(
        maxFailedUnlocks: 10, retentionDays: nil, unlockTargetMs: 0, insecureFastKdfForTests: false
    )

    func newVault(_ organisation: String) throws -> Vault {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("relais-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let vault = try Vault.create(
            path: dir.appendingPathComponent("vault.db").path, passphrase: "correct horse 42",
            keyProvider: FixedSecret(organisation), settings: settings)
        try vault.setOrganisation(name: organisation)
        return vault
    }

    func testChooseByOneIdIsTheSameAsTheCoresListCall() throws {
        let a = try Interview(formId: "quick-check", language: .fr, age: nil)
        let b = try Interview(formId: "quick-check", language: .fr, age: nil)
        let first = try XCTUnwrap(a.screen().question?.options.first)
        XCTAssertEqual(a.choose(first.id), b.choose(optionIds: [first.id]))
        XCTAssertEqual(a.screen().progress.answered, 1)
    }

    func testIsDarkReadsTheMatrixRowByRow() throws {
        let matrix = try qrMatrix(text: "RLA2:SWIFT LAYER")
        let size = Int(matrix.size)
        for y in 0..<size {
            for x in 0..<size {
                XCTAssertEqual(matrix.isDark(x: x, y: y), matrix.modules[y * size + x] == 1, "(\(x), \(y))")
            }
        }
        // The three finder patterns: dark corners, a light separator next to them.
        XCTAssertTrue(matrix.isDark(x: 0, y: 0))
        XCTAssertTrue(matrix.isDark(x: size - 1, y: 0))
        XCTAssertTrue(matrix.isDark(x: 0, y: size - 1))
        XCTAssertFalse(matrix.isDark(x: 7, y: 0))
    }

    func testAQuickCheckFinishedAtTheFirstQuestionIsIncompleteNotClean() throws {
        let interview = try Interview(formId: "quick-check", language: .fr, age: nil)
        _ = interview.choose("adult")
        let result = try interview.finish()
        XCTAssertEqual(result.outcomeId, "incomplete")
        let completeness = try XCTUnwrap(result.completeness)
        XCTAssertFalse(completeness.clean)
        XCTAssertFalse(completeness.open.isEmpty)
        XCTAssertTrue(result.explanation.hasPrefix(completeness.summary))
    }

    func testAConsentFormStartedInAChildsCaseIsAChildsConsent() throws {
        let vault = try newVault("Caritas Kikwit")
        let code = try vault.createCase()
        let check = try Interview(formId: "quick-check", language: .fr, age: nil)
        _ = check.choose("child_without_parent")
        _ = try check.finish()
        _ = try vault.saveResult(code: code, interview: check)
        let consent = try vault.startForm(code: code, formId: "consent", language: .fr)
        var asked: [String] = []
        var screen = consent.screen()
        while let question = screen.question {
            asked.append(question.id)
            screen = consent.choose("yes")
        }
        XCTAssertTrue(asked.contains("child_assent") && asked.contains("guardian_consent"))
        XCTAssertFalse(asked.contains("agree_interview"))
        XCTAssertEqual(try consent.finish().consent?.child, true)
    }

    func testAFormInProgressIsKeptInTheVaultAndTakenUpAgain() throws {
        let vault = try newVault("Caritas Kikwit")
        XCTAssertNil(try vault.pendingDraft())
        let interview = try Interview(formId: "quick-check", language: .fr, age: nil)
        let first = try XCTUnwrap(interview.screen().question?.options.first)
        let next = interview.choose(first.id)
        try vault.savePendingDraft(interview: interview, caseCode: nil)

        let kept = try XCTUnwrap(vault.pendingDraft())
        XCTAssertEqual(kept.formId, "quick-check")
        XCTAssertNil(kept.caseCode)
        let resumed = try Interview.resume(draftJson: kept.draftJson)
        XCTAssertEqual(resumed.screen().question?.id, next.question?.id)
        try vault.discardPendingDraft()
        XCTAssertNil(try vault.pendingDraft())
    }

    func testAnUnlistedReceiverNeedsItsNumberThenTheConsentNamingIt() throws {
        let sender = try newVault("Caritas Kikwit")
        let receiver = try newVault("Maison Lisanga")
        let code = try sender.createCase()
        let key = try receiver.openReceiveSession(minutes: 10, maxFragment: 939)
        let check = try sender.checkReceiver(keyText: key.text)
        XCTAssertEqual(check.verification, .notVerified)
        XCTAssertEqual(check.fingerprint, key.fingerprint)
        XCTAssertThrowsError(try sender.sendHandover(
            code: code, receiverKeyText: key.text, confirmedFingerprint: nil, remember: false
        )) { error in
            guard case let .ReceiverNotVerified(organisation, fingerprint)? = error as? VaultError else {
                return XCTFail("expected ReceiverNotVerified, got \(error)")
            }
            XCTAssertEqual(organisation, "Maison Lisanga")
            XCTAssertEqual(fingerprint, check.fingerprint)
        }
        XCTAssertThrowsError(try sender.sendHandover(
            code: code, receiverKeyText: key.text, confirmedFingerprint: check.fingerprint, remember: false
        )) { error in
            guard case let .HandoverConsentRequired(organisation)? = error as? VaultError else {
                return XCTFail("expected HandoverConsentRequired, got \(error)")
            }
            XCTAssertEqual(organisation, check.consentTarget)
        }
        _ = try sender.recordConsent(code: code, purpose: .handover, scope: check.consentTarget)
        let out = try sender.sendHandover(
            code: code, receiverKeyText: key.text, confirmedFingerprint: check.fingerprint, remember: false
        )
        XCTAssertEqual(out.receiverOrganisation(), "Maison Lisanga")
        XCTAssertEqual(out.receiver().verification, .notVerified)
    }

    func testATamperedDirectoryIsRefusedAndTheOneInUseStays() throws {
        let vault = try newVault("Caritas Kikwit")
        let first = try vault.importDirectory(file: sampleDirectoryFile(), coordinatorKeyHex: sampleCoordinatorKey())
        XCTAssertTrue(first.fictitious)
        let tampered = sampleDirectoryFile().replacingOccurrences(of: "Kikwit", with: "Kikwot")
        XCTAssertThrowsError(try vault.importDirectory(file: tampered, coordinatorKeyHex: nil)) { error in
            guard case let .Directory(refusal, _)? = error as? VaultError else {
                return XCTFail("expected Directory, got \(error)")
            }
            XCTAssertEqual(refusal, .badSignature)
        }
        XCTAssertEqual(try vault.directoryStatus()?.version, first.version)
    }

    func testTheDirectoryImportsFromItsFramesAndTheTrustCanBeReset() throws {
        let vault = try newVault("Caritas Kikwit")
        let frames = try directoryFrames(file: sampleDirectoryFile())
        XCTAssertGreaterThan(frames.count, 1)
        // Incomplete: refused, nothing trusted.
        let partial = HandoverReceiver()
        _ = try partial.scanText(text: frames[0])
        XCTAssertThrowsError(try vault.importDirectoryFrames(receiver: partial, coordinatorKeyHex: sampleCoordinatorKey())) { error in
            guard case .Invalid? = error as? VaultError else {
                return XCTFail("expected Invalid, got \(error)")
            }
        }
        XCTAssertFalse(try vault.hasCoordinator())
        // The first frame lost: the file rebuilt, read to compare the coordinator's number, imported.
        let scanner = HandoverReceiver()
        for frame in frames.dropFirst() {
            _ = try scanner.scanText(text: frame)
        }
        XCTAssertEqual(scanner.progress().status, .complete)
        XCTAssertEqual(try scanner.directoryFile(), sampleDirectoryFile())
        let read = try readDirectoryFile(file: scanner.directoryFile())
        let status = try vault.importDirectoryFrames(receiver: scanner, coordinatorKeyHex: read.coordinatorKey)
        XCTAssertTrue(status.fictitious)
        XCTAssertTrue(try vault.hasCoordinator())
        // Forgotten: the next import names its coordinator again.
        try vault.resetDirectoryTrust()
        XCTAssertFalse(try vault.hasCoordinator())
        XCTAssertNil(try vault.directoryStatus())
        XCTAssertThrowsError(try vault.importDirectoryFrames(receiver: scanner, coordinatorKeyHex: nil)) { error in
            guard case let .Directory(refusal, _)? = error as? VaultError else {
                return XCTFail("expected Directory, got \(error)")
            }
            XCTAssertEqual(refusal, .noCoordinator)
        }
    }

    func testAppTextsComeFromTheCoreWithTheirPlaceholdersFilled() {
        XCTAssertEqual(uiText(language: .fr, key: "app.back"), "Retour")
        let text = uiTextWith(language: .en, key: "app.unlock.wrong", args: ["remaining": "3"])
        XCTAssertTrue(text.contains("3 attempt"), text)
        XCTAssertFalse(text.contains("{remaining}"))
    }
}
