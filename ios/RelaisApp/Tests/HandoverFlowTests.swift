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

    func testACaseGoesOverWithConsentTheSameCodeOnBothScreensAndTheAcknowledgement() throws {
        let phones = try makePhones()
        let receive = HandoverReceiveFlow()
        receive.start(phones.receiver)
        let key = try XCTUnwrap(receive.key)
        XCTAssertEqual(key.organisation, "Maison Lisanga")
        XCTAssertNotNil(receive.keyImage)
        XCTAssertEqual(receive.progressText, phones.receiver.t("app.handover.waiting"))

        let send = HandoverSendFlow(code: phones.code)
        send.start(phones.sender)
        XCTAssertEqual(send.step, .scanKey)
        send.scanned("https://example.org/menu")
        XCTAssertEqual(send.step, .scanKey)
        XCTAssertEqual(send.message, phones.sender.t("app.handover.not_a_key"))

        send.scanned(key.text)
        XCTAssertEqual(send.step, .consentQuestion, "no consent to this organisation yet")
        XCTAssertEqual(send.organisation, "Maison Lisanga")
        XCTAssertNil(send.sas, "nothing sealed before the person agrees")
        send.agreed()
        XCTAssertEqual(send.step, .frames)
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
        XCTAssertEqual(got.sas, send.sas, "both screens show the same six digits")
        XCTAssertEqual(got.fromOrganisation, "Équipe mobile Kikwit")
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
    }

    func testWithoutThePersonsAgreementNothingIsSealed() throws {
        let phones = try makePhones()
        let screens = try openScreens(phones)
        let (key, send) = (screens.key, screens.send)
        send.scanned(key.text)
        XCTAssertEqual(send.step, .consentQuestion)
        // "Scan another key" from the question: the same key leads to the same question.
        send.scanAnotherKey()
        XCTAssertEqual(send.step, .scanKey)
        send.scanned(key.text)
        XCTAssertEqual(send.step, .consentQuestion)

        send.refused()
        XCTAssertEqual(send.step, .notSent)
        XCTAssertTrue(send.frameTexts().isEmpty)
        XCTAssertThrowsError(
            try phones.sender.requireVault().sendHandover(code: phones.code, receiverKeyText: key.text),
            "no consent was recorded"
        )
    }

    func testADamagedKeyIsRefusedAndTheCameraKeepsScanning() throws {
        let phones = try makePhones()
        _ = try phones.sender.requireVault().recordConsent(code: phones.code, purpose: .handover, scope: "Maison Lisanga")
        let receive = HandoverReceiveFlow()
        receive.start(phones.receiver)
        let key = Array(try XCTUnwrap(receive.key).text)
        // One character changed in the middle: the key's signature no longer holds.
        let middle = key.count / 2
        var damaged = key
        damaged[middle] = key[middle] == "A" ? "B" : "A"
        let send = HandoverSendFlow(code: phones.code)
        send.start(phones.sender)
        send.scanned(String(damaged))
        XCTAssertEqual(send.step, .scanKey)
        XCTAssertEqual(send.message, phones.sender.t("app.handover.key_refused"))
        XCTAssertNil(send.sender)
        XCTAssertNil(send.sas)

        // The whole key, scanned next, is taken: the consent was already recorded.
        send.scanned(String(key))
        XCTAssertEqual(send.step, .frames)
        XCTAssertNotNil(send.sas)
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
