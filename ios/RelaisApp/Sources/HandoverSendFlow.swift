import CoreGraphics
import Foundation
import Relais

/// The steps of "Hand over by QR", from a case, apart from their screen (HandoverSendView.swift)
/// so that tests can walk through them: the worker scans the receiving organisation's key; the
/// core seals the case to it only with the person's consent to that organisation, else the
/// person is asked; the case is shown as animated QR codes with a six-digit code to compare
/// aloud; last, the receiver's acknowledgement is scanned, which records on the case that the
/// organisation has it. Without consent nothing is sent. (Mirrors the Android
/// `HandoverSendActivity`.)
@MainActor
final class HandoverSendFlow: ObservableObject {
    enum Step: Equatable {
        /// Before `start`: nothing shown yet, the camera not started.
        case opening
        case noCase, scanKey, consentQuestion, frames, scanAck, done, notSent
    }

    /// The start of every receiver key's text (docs/handover-format.md §1).
    static let keyPrefix = "RLK1:"
    /// Frames change four times a second: what cheap cameras read reliably.
    static let frameSeconds = 0.25

    let code: String
    @Published private(set) var step: Step = .opening
    /// What went wrong, or why a scanned code was not used; shown above the camera.
    @Published private(set) var message: String?
    /// The organisation the scanned key names (before the case is sealed to it).
    @Published private(set) var organisation = ""
    /// One loop of frames, drawn off the main thread; empty until drawn.
    @Published private(set) var frames: [CGImage] = []
    @Published private(set) var sender: HandoverSender?

    private var keyText: String?
    /// A key the core refused (expired, damaged): the camera keeps seeing it; it is not retried.
    private var refusedKey: String?
    private var drawing = false
    private weak var model: AppModel?

    init(code: String) {
        self.code = code
    }

    /// The six-digit code to compare with the receiver's screen, once the case is sealed.
    var sas: String? { sender?.sas() }

    var receiverOrganisation: String { sender?.receiverOrganisation() ?? organisation }

    /// The texts of one loop of frames (what the animated QR codes encode); empty before sealing.
    func frameTexts() -> [String] {
        guard let out = sender else { return [] }
        return (0..<out.loopLength()).map { out.frameText(seq: $0 + 1) }
    }

    /// Once, when the screen appears: the case must exist on this phone.
    func start(_ model: AppModel) {
        guard self.model == nil else { return }
        self.model = model
        do {
            _ = try model.requireVault().caseDetail(code: code)
            step = .scanKey
        } catch VaultError.Locked {
            model.lock()
        } catch {
            step = .noCase
        }
    }

    // MARK: - Decoded codes

    /// One decoded QR text: the receiver's key (first step) or its acknowledgement (last step).
    func scanned(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch step {
        case .scanKey: useKey(text)
        case .scanAck: useAck(text)
        default: break
        }
    }

    private func useKey(_ text: String) {
        // A receiver key says what it is in its first characters: a code of anything else is not
        // sent to the core as a key, nor mistaken for missing consent.
        guard text.hasPrefix(Self.keyPrefix) else {
            message = t("app.handover.not_a_key")
            return
        }
        if text == refusedKey { return }
        model?.touch()
        keyText = text
        seal(afterConsent: false)
    }

    /// Seals the case to the scanned key. Without the person's consent to the organisation the key
    /// names, the core refuses and names that organisation: then the person is asked about it. An
    /// expired or damaged key is refused as such.
    private func seal(afterConsent: Bool) {
        guard let model, let key = keyText else { return }
        message = nil
        do {
            sender = try model.requireVault().sendHandover(code: code, receiverKeyText: key)
            frames = []
            step = .frames
            drawFrames()
        } catch let error as VaultError {
            switch error {
            case let .HandoverConsentRequired(named):
                organisation = named
                if afterConsent {
                    // Recorded, yet still refused: never loop on the question.
                    message = t("app.error.unexpected")
                    step = .notSent
                } else {
                    step = .consentQuestion
                }
            case .Invalid:
                refusedKey = keyText
                keyText = nil
                message = t("app.handover.key_refused")
                step = .scanKey
            case .Locked:
                model.lock()
            case .NoSuch:
                step = .noCase
            case .Tampered:
                message = t("app.handover.damaged")
                step = .notSent
            default:
                message = t("app.error.unexpected")
                step = .notSent
            }
        } catch {
            message = t("app.error.unexpected")
            step = .notSent
        }
    }

    /// The person agrees: the consent is recorded for the key's organisation, then the case sealed.
    func agreed() {
        guard let model else { return }
        do {
            _ = try model.requireVault().recordConsent(code: code, purpose: .handover, scope: organisation)
        } catch VaultError.Locked {
            model.lock()
            return
        } catch {
            message = t("app.error.unexpected")
            step = .notSent
            return
        }
        seal(afterConsent: true)
    }

    /// The person does not agree: nothing is sent.
    func refused() {
        message = nil
        keyText = nil
        step = .notSent
    }

    func scanAnotherKey() {
        keyText = nil
        message = nil
        step = .scanKey
    }

    func toAck() {
        message = nil
        step = .scanAck
    }

    func showFramesAgain() {
        message = nil
        step = .frames
        drawFrames()
    }

    private func useAck(_ text: String) {
        guard let model else { return }
        do {
            guard try model.requireVault().recordAck(ackText: text) == code else {
                message = t("app.handover.not_the_ack")
                return
            }
        } catch VaultError.Locked {
            model.lock()
            return
        } catch {
            message = t("app.handover.not_the_ack")
            return
        }
        message = nil
        step = .done
    }

    /// One loop of frames drawn as images off the main thread (a few milliseconds each).
    private func drawFrames() {
        guard let model, let out = sender, frames.isEmpty, !drawing else { return }
        drawing = true
        model.background({ try Self.draw(out) }) { [weak self] outcome in
            guard let self else { return }
            self.drawing = false
            // A key scanned again meanwhile has made a new sender: its own drawing follows.
            guard out === self.sender else { return }
            switch outcome {
            case let .success(images):
                self.frames = images
            case .failure:
                if self.step == .frames { self.message = self.t("app.error.unexpected") }
            }
        }
    }

    private nonisolated static func draw(_ out: HandoverSender) throws -> [CGImage] {
        try (0..<out.loopLength()).map { seq in
            guard let image = try QRDrawing.cgImage(out.frame(seq: seq + 1)) else {
                throw HandoverError.Qr(reason: "frame")
            }
            return image
        }
    }

    private func t(_ key: String) -> String {
        model?.t(key) ?? key
    }
}
