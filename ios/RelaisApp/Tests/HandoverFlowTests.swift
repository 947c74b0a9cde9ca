import CoreGraphics
import Relais
import XCTest
@testable import RelaisApp

/// The handover screens' steps between two phones' apps, with the real core: the texts the
/// cameras would read are handed to the flows as `AVCaptureMetadataOutput` would. Run by
/// `xcodebuild test -scheme RelaisApp` (docs/ios.md) on a Mac; not run on the development machine.
@MainActor
final class HandoverFlowTests: XCTestCase {
    struct Phones {
        let sender: AppModel
        let receiver: AppModel
        let code: String
    }

    /// Both screens open: the receiver showing its key, the sender about to scan it.
    struct Screens {
        let receive: HandoverReceiveFlow
        let key: ReceiverKey
        let send: HandoverSendFlow
    }

    /// A field team's phone with one case, and a shelter's phone.
    func makePhones() throws -> Phones {
        let sender = try openedApp(organisation: "Équipe mobile Kikwit")
        let code = try sender.requireVault().createCase()
        let receiver = try openedApp(organisation: "Maison Lisanga")
        return Phones(sender: sender, receiver: receiver, code: code)
    }

    func openScreens(_ phones: Phones) throws -> Screens {
        let receive = HandoverReceiveFlow()
        receive.start(phones.receiver)
        let key = try XCTUnwrap(receive.key)
        let send = HandoverSendFlow(code: phones.code)
        send.start(phones.sender)
        return Screens(receive: receive, key: key, send: send)
    }

    /// Lets the frames drawn off the main thread arrive.
    func waitForFrames(_ send: HandoverSendFlow) {
        let deadline = Date().addingTimeInterval(10)
        while send.frames.isEmpty, Date() < deadline {
            RunLoop.main.run(until: Date().addingTimeInterval(0.02))
        }
    }

    func testAnUnlistedReceiverIsComparedByItsNumberThenTheCaseGoesWithConsentAndIsAcknowledged() throws {
        let phones = try makePhones()
        let receive = HandoverReceiveFlow()
        receive.start(phones.receiver)
        let key = try XCTUnwrap(receive.key)
        XCTAssertEqual(key.organisation, "Maison Lisanga")
        XCTAssertEqual(key.fingerprint, try phones.receiver.requireVault().identity().fingerprint)
        XCTAssertNotNil(receive.keyImage)
        XCTAssertEqual(receive.progressText, phones.receiver.t("app.handover.waiting"))

        let send = HandoverSendFlow(code: phones.code)
        send.start(phones.sender)
        XCTAssertEqual(send.step, .scanKey)
        send.scanned("https://example.org/menu")
        XCTAssertEqual(send.step, .scanKey)
        XCTAssertEqual(send.message, phones.sender.t("app.handover.not_a_key"))

        // No directory on the sending phone: not verified, its number to compare first.
        send.scanned(key.text)
        XCTAssertEqual(send.step, .verify)
        XCTAssertEqual(send.check?.verification, .notVerified)
        XCTAssertEqual(send.check?.claimed, "Maison Lisanga")
        XCTAssertEqual(send.check?.fingerprint, key.fingerprint, "the same number as on the receiving screen")
        XCTAssertFalse(send.sealed)
        send.remember = true
        send.same()

        // The person has not agreed yet: the question names the receiver with its number.
        XCTAssertEqual(send.step, .consentQuestion)
        XCTAssertEqual(send.consentTarget, "Maison Lisanga (\(key.fingerprint))")
        XCTAssertFalse(send.sealed, "nothing sealed before the person agrees")
        send.agreed()
        XCTAssertEqual(send.step, .frames)
        XCTAssertEqual(try phones.sender.requireVault().pinnedReceivers().map(\.fingerprint), [key.fingerprint])
        let texts = send.frameTexts()
        XCTAssertFalse(texts.isEmpty)
        waitForFrames(send)
        XCTAssertEqual(send.frames.count, texts.count, "one image per frame of the loop")

        receive.frameText("not a Relais frame")
        XCTAssertEqual(receive.step, .scanning)
        XCTAssertEqual(receive.progress?.refused, 1)
        XCTAssertEqual(receive.progressText, phones.receiver.t("app.handover.progress", [
            "percent": "0", "parts": "0", "refused": "1",
        ]))
        for text in texts where receive.step == .scanning {
            receive.frameText(text)
        }
        XCTAssertEqual(receive.step, .received)
        let got = try XCTUnwrap(receive.received)
        XCTAssertEqual(got.fromOrganisation, "Équipe mobile Kikwit")
        XCTAssertFalse(got.fromVerified, "the receiver has no directory: a claimed name")
        XCTAssertEqual(got.fromFingerprint, try phones.sender.requireVault().identity().fingerprint)
        XCTAssertFalse(got.alreadyReceived)
        XCTAssertNotNil(receive.ackImage)
        XCTAssertNoThrow(try phones.receiver.requireVault().caseDetail(code: got.caseCode))

        send.toAck()
        XCTAssertEqual(send.step, .scanAck)
        send.scanned(key.text)
        XCTAssertEqual(send.step, .scanAck)
        XCTAssertEqual(send.message, phones.sender.t("app.handover.not_the_ack"))
        send.scanned(try XCTUnwrap(receive.ackText))
        XCTAssertEqual(send.step, .done)
        XCTAssertNil(send.message)

        // The next key of that phone is verified by this one: remembered, sealed at once.
        receive.newKey()
        let again = HandoverSendFlow(code: phones.code)
        again.start(phones.sender)
        again.scanned(try XCTUnwrap(receive.key).text)
        XCTAssertEqual(again.receiver?.verification, .pinned)
        XCTAssertEqual(again.step, .frames)
    }

    func testDifferentNumbersCancelAndNothingIsSealed() throws {
        let phones = try makePhones()
        let screens = try openScreens(phones)
        let (key, send) = (screens.key, screens.send)
        send.scanned(key.text)
        XCTAssertEqual(send.step, .verify)
        send.remember = true
        send.different()
        XCTAssertEqual(send.step, .notSent)
        XCTAssertEqual(send.message, phones.sender.t("app.handover.fingerprint_differs"))
        XCTAssertFalse(send.sealed)
        XCTAssertTrue(send.frameTexts().isEmpty)
        XCTAssertTrue(try phones.sender.requireVault().pinnedReceivers().isEmpty)
        let custody = try phones.sender.requireVault().caseDetail(code: phones.code).entries.filter { $0.kind == .custody }
        XCTAssertTrue(custody.isEmpty)
    }

    func testWithoutThePersonsAgreementNothingIsSealed() throws {
        let phones = try makePhones()
        let screens = try openScreens(phones)
        let (key, send) = (screens.key, screens.send)
        send.scanned(key.text)
        send.same()
        XCTAssertEqual(send.step, .consentQuestion)
        // "Scan another key" from the question: the same key leads to the same steps.
        send.scanAnotherKey()
        XCTAssertEqual(send.step, .scanKey)
        send.scanned(key.text)
        XCTAssertEqual(send.step, .verify)
        send.same()
        XCTAssertEqual(send.step, .consentQuestion)

        send.refused()
        XCTAssertEqual(send.step, .notSent)
        XCTAssertTrue(send.frameTexts().isEmpty)
        XCTAssertThrowsError(
            try phones.sender.requireVault().sendHandover(
                code: phones.code, receiverKeyText: key.text, confirmedFingerprint: key.fingerprint, remember: false
            ),
            "no consent was recorded"
        )
    }

    func testDamagedAndOldKeysAreRefusedAndTheCameraKeepsScanning() throws {
        let phones = try makePhones()
        let receive = HandoverReceiveFlow()
        receive.start(phones.receiver)
        let shown = try XCTUnwrap(receive.key)
        let target = try phones.sender.requireVault().checkReceiver(keyText: shown.text).consentTarget
        _ = try phones.sender.requireVault().recordConsent(code: phones.code, purpose: .handover, scope: target)
        let key = Array(shown.text)
        // One character changed in the middle: the key's signature no longer holds.
        let middle = key.count / 2
        var damaged = key
        damaged[middle] = key[middle] == "A" ? "B" : "A"
        let send = HandoverSendFlow(code: phones.code)
        send.start(phones.sender)
        send.scanned("RLK1:6BFOXN*TS0BI")
        XCTAssertEqual(send.message, phones.sender.t("app.handover.key_old_format"))
        send.scanned(String(damaged))
        XCTAssertEqual(send.step, .scanKey)
        XCTAssertEqual(send.message, phones.sender.t("app.handover.key_refused"))
        XCTAssertNil(send.sender)

        // The whole key, scanned next, is compared, then taken: the consent was already recorded.
        send.scanned(String(key))
        XCTAssertEqual(send.step, .verify)
        send.same()
        XCTAssertEqual(send.step, .frames)
        XCTAssertTrue(send.sealed)
    }

    func testTheDirectoryScreenImportsTheSampleAndRefusesATamperedFile() throws {
        let phones = try makePhones()
        let flow = DirectoryFlow()
        flow.start(phones.sender)
        XCTAssertNil(flow.current)
        XCTAssertFalse(flow.trustsCoordinator)
        XCTAssertEqual(flow.identity?.fingerprint, try phones.sender.requireVault().identity().fingerprint)

        // The first import waits for the coordinator's number to be compared.
        flow.importFile(sampleDirectoryFile())
        let pending = try XCTUnwrap(flow.pending)
        XCTAssertTrue(pending.fictitious)
        XCTAssertNil(try phones.sender.requireVault().directoryStatus())
        flow.trust()
        XCTAssertEqual(flow.current?.version, 1)
        XCTAssertTrue(flow.trustsCoordinator)
        XCTAssertEqual(flow.message, phones.sender.t("app.directory.imported", ["version": "1"]))

        let tampered = sampleDirectoryFile().replacingOccurrences(of: "Kikwit", with: "Kikwot")
        flow.importFile(tampered)
        XCTAssertTrue(flow.messageIsRefusal)
        XCTAssertEqual(flow.message, phones.sender.t("app.directory.refused_signature"))
        XCTAssertEqual(flow.current?.version, 1, "the directory in use stays")
        flow.importFile("not a directory")
        XCTAssertEqual(flow.message, phones.sender.t("app.directory.refused_invalid"))
        flow.importFile(sampleDirectoryFile())
        XCTAssertEqual(flow.message, phones.sender.t("app.directory.unchanged"))
    }

    func testTheDirectoryScreenReadsTheCoordinatorsCodesAndForgetsTheCoordinatorOnRequest() throws {
        let phones = try makePhones()
        let flow = DirectoryFlow()
        flow.start(phones.sender)
        flow.startScan()
        XCTAssertTrue(flow.scanning)
        XCTAssertEqual(flow.scanProgressText, phones.sender.t("app.directory.scan_waiting"))
        flow.frameText("not a Relais frame")
        XCTAssertEqual(flow.scanProgress?.refused, 1)

        // The codes in another order: the first import waits for the coordinator's number.
        let frames = try directoryFrames(file: sampleDirectoryFile())
        for frame in frames.reversed() where flow.scanning {
            flow.frameText(frame)
        }
        XCTAssertFalse(flow.scanning)
        let pending = try XCTUnwrap(flow.pending)
        XCTAssertEqual(pending.coordinatorFingerprint, try readDirectoryFile(file: sampleDirectoryFile()).coordinatorFingerprint)
        XCTAssertNil(try phones.sender.requireVault().directoryStatus())
        flow.trust()
        XCTAssertEqual(flow.current?.version, 1)
        XCTAssertEqual(flow.message, phones.sender.t("app.directory.imported", ["version": "1"]))

        // The codes of a case, scanned here by mistake: refused, the directory in use stays.
        let key = try phones.receiver.requireVault().openReceiveSession(minutes: 10, maxFragment: 939)
        let vault = try phones.sender.requireVault()
        let check = try vault.checkReceiver(keyText: key.text)
        _ = try vault.recordConsent(code: phones.code, purpose: .handover, scope: check.consentTarget)
        let out = try vault.sendHandover(
            code: phones.code, receiverKeyText: key.text, confirmedFingerprint: check.fingerprint, remember: false
        )
        flow.startScan()
        for seq in 1...out.loopLength() where flow.scanning {
            flow.frameText(out.frameText(seq: seq))
        }
        XCTAssertTrue(flow.messageIsRefusal)
        XCTAssertEqual(flow.message, phones.sender.t("app.directory.refused_frames"))
        XCTAssertEqual(flow.current?.version, 1)

        // Forgotten: no coordinator and no directory; the next codes ask for the comparison again.
        flow.resetTrust()
        XCTAssertFalse(flow.trustsCoordinator)
        XCTAssertNil(flow.current)
        XCTAssertFalse(flow.messageIsRefusal)
        XCTAssertEqual(flow.message, phones.sender.t("app.directory.reset_done"))
        flow.startScan()
        for frame in frames where flow.scanning {
            flow.frameText(frame)
        }
        XCTAssertNotNil(flow.pending)
    }

    func testAnUnknownCaseCannotBeHandedOver() throws {
        let phones = try makePhones()
        let send = HandoverSendFlow(code: "NO-SUCH-CASE")
        send.start(phones.sender)
        XCTAssertEqual(send.step, .noCase)
    }

    func testALockedVaultSendsTheAppBackToUnlocking() throws {
        let phones = try makePhones()
        let screens = try openScreens(phones)
        let (key, send) = (screens.key, screens.send)
        // The vault locks under the screen (the model has not seen it yet).
        try phones.sender.requireVault().lock()
        XCTAssertEqual(phones.sender.route, .home)
        send.scanned(key.text)
        XCTAssertEqual(phones.sender.route, .unlock)
        XCTAssertNil(send.sender)
    }

    func testAReceiverStartsAgainWithANewKey() throws {
        let phones = try makePhones()
        let receive = HandoverReceiveFlow()
        receive.start(phones.receiver)
        let first = try XCTUnwrap(receive.key)
        receive.frameText("damaged")
        receive.newKey()
        XCTAssertNotEqual(receive.key?.text, first.text)
        XCTAssertEqual(receive.progress?.refused, 0)
        XCTAssertEqual(receive.step, .scanning)
    }

    func testQrImagesHaveAQuietZoneAndWholePixelModules() throws {
        let matrix = try qrMatrix(text: "RELAIS")
        let image = try XCTUnwrap(QRDrawing.cgImage(matrix))
        XCTAssertEqual(image.width, Int(matrix.size) + 8)
        XCTAssertEqual(image.height, image.width)
        let bytes = try XCTUnwrap(image.dataProvider?.data as Data?)
        XCTAssertEqual(bytes[0], 255, "the quiet zone is light")
        XCTAssertEqual(bytes[4 * image.width + 4], 0, "the finder pattern's corner is dark")

        // 41 modules on a 343-point column at 3 pixels a point: 25 pixels a module, 1,025 pixels.
        XCTAssertEqual(QRDrawing.side(modules: 41, maxPoints: 343, scale: 3), 1025 / 3, accuracy: 0.0001)
        // Never less than one pixel a module, even in a narrower place.
        XCTAssertEqual(QRDrawing.side(modules: 41, maxPoints: 20, scale: 1), 41, accuracy: 0.0001)
    }
}
