import CoreGraphics
import Foundation
import Relais

/// The steps of "Hand over by QR", from a case, apart from their screen (HandoverSendView.swift)
/// so that tests can walk through them: the worker scans the receiving organisation's key, and
/// the phone says who it belongs to before anything is sealed (docs/handover-format.md §1):
/// verified with its listed name and area when the signed directory lists it, verified by you on
/// a date when this phone remembered it, else not verified, with the name it claims and its
/// 30-digit fingerprint to compare in full with the receiving screen (same / different, and
/// remember). Then the core seals the case only with the person's consent to that receiver as
/// verified, else the person is asked about exactly that; the case is shown as animated QR codes;
/// last, the receiver's acknowledgement is scanned, which records on the case that the
/// organisation has it. Without the comparison or the consent nothing is sealed. (Mirrors the
/// Android `HandoverSendActivity`.)
@MainActor
final class HandoverSendFlow: ObservableObject {
    enum Step: Equatable {
        /// Before `start`: nothing shown yet, the camera not started.
        case opening
        case noCase, scanKey, verify, consentQuestion, frames, scanAck, done, notSent
    }

    /// Whether a scanned text is a receiver key of any format version (docs/handover-format.md
    /// §2: `RLK2:` now; the core refuses `RLK1:` keys as made by an older Relais), any case.
    static func looksLikeKey(_ text: String) -> Bool {
        let head = Array(text.prefix(5).uppercased())
        return head.count == 5 && String(head[0..<3]) == "RLK" && head[3].isNumber && head[4] == ":"
    }
    /// Frames change four times a second: what cheap cameras read reliably.
    static let frameSeconds = 0.25

    let code: String
    @Published private(set) var step: Step = .opening
    /// What went wrong, or why a scanned code was not used; shown above the camera.
    @Published private(set) var message: String?
    /// Who the scanned key belongs to, as this phone can tell, before anything is sealed.
    @Published private(set) var check: ReceiverCheckView?
    /// The fingerprint the worker saw to be the same on both screens (an unverified receiver).
    @Published private(set) var confirmed: String?
    /// "Remember this receiver", for an unverified one.
    @Published var remember = false
    /// What the person's consent must name: the receiver as verified (the core says it).
    @Published private(set) var consentTarget = ""
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

    /// Whether the case is sealed (frames can be shown).
    var sealed: Bool { sender != nil }

    /// Who the receiver is, as shown: the one the case was sealed to, or the check of the key.
    var receiver: ReceiverCheckView? { sender?.receiver() ?? check }

    var receiverOrganisation: String { sender?.receiverOrganisation() ?? check?.organisation ?? "" }

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
        guard Self.looksLikeKey(text) else {
            message = t("app.handover.not_a_key")
            return
        }
        if text == refusedKey { return }
        guard let model else { return }
        model.touch()
        let seen: ReceiverCheckView
        do {
            seen = try model.requireVault().checkReceiver(keyText: text)
        } catch VaultError.Locked {
            model.lock()
            return
        } catch {
            refuseKey(text, error)
            return
        }
        keyText = text
        check = seen
        confirmed = nil
        remember = false
        message = nil
        if seen.verification == .notVerified {
            step = .verify
        } else {
            seal(afterConsent: false)
        }
    }

    /// A key that cannot be used: said why, not retried while the camera keeps seeing it.
    private func refuseKey(_ text: String?, _ error: Error) {
        refusedKey = text
        keyText = nil
        check = nil
        if case let .HandoverRefused(problem, _)? = error as? VaultError {
            switch problem {
            case .oldFormat: message = t("app.handover.key_old_format")
            case .unsupported: message = t("app.handover.key_newer")
            case .future: message = t("app.handover.key_future")
            case .notRelais: message = t("app.handover.not_a_key")
            default: message = t("app.handover.key_refused")
            }
        } else {
            message = t("app.handover.key_refused")
        }
        step = .scanKey
    }

    /// "Same on both screens": the fingerprint compared goes to the core with the seal.
    func same() {
        guard let seen = check else { return }
        confirmed = seen.fingerprint
        seal(afterConsent: false)
    }

    /// "Different — cancel": nothing is sealed; another phone may be posing as the receiver.
    func different() {
        keyText = nil
        check = nil
        confirmed = nil
        message = t("app.handover.fingerprint_differs")
        step = .notSent
    }

    /// Seals the case to the scanned key, verified: listed, remembered, or its fingerprint
    /// confirmed. Without the person's consent to that receiver as verified, the core refuses and
    /// names it: then the person is asked about exactly that. A key that cannot be used is
    /// refused as such.
    private func seal(afterConsent: Bool) {
        guard let model, let key = keyText else { return }
        message = nil
        do {
            sender = try model.requireVault().sendHandover(
                code: code, receiverKeyText: key, confirmedFingerprint: confirmed, remember: remember
            )
            frames = []
            step = .frames
            drawFrames()
        } catch let error as VaultError {
            switch error {
            case let .HandoverConsentRequired(named):
                consentTarget = named
                if afterConsent {
                    // Recorded, yet still refused: never loop on the question.
                    message = t("app.error.unexpected")
                    step = .notSent
                } else {
                    step = .consentQuestion
                }
            case .ReceiverNotVerified:
                // No longer listed nor remembered (the directory changed meanwhile): compare first.
                check = try? model.requireVault().checkReceiver(keyText: key)
                confirmed = nil
                step = check == nil ? .notSent : .verify
            case .FingerprintMismatch:
                message = t("app.handover.fingerprint_differs")
                step = .notSent
            case .HandoverRefused, .Invalid:
                refuseKey(keyText, error)
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

    /// The person agrees: the consent is recorded for the receiver as verified, then the case sealed.
    func agreed() {
        guard let model else { return }
        do {
            _ = try model.requireVault().recordConsent(code: code, purpose: .handover, scope: consentTarget)
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
        check = nil
        step = .notSent
    }

    func scanAnotherKey() {
        keyText = nil
        check = nil
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
