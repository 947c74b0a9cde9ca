import CoreGraphics
import Foundation
import Relais

/// The steps of "Receive a case", apart from their screen (HandoverReceiveView.swift) so that
/// tests can walk through them: this phone shows its organisation's key as a QR code for the
/// sender to scan, with this phone's 30-digit fingerprint under it (a sender whose phone cannot
/// verify this one compares it in full), then reads the sender's animated codes (how far it has
/// come, how many codes it refused). When the case is whole it is imported, and the screen shows
/// who sent it — verified and listed, or a claimed name with its fingerprint — and an
/// acknowledgement QR for the sender to scan. (Mirrors the Android `HandoverReceiveActivity`.)
@MainActor
final class HandoverReceiveFlow: ObservableObject {
    enum Step: Equatable {
        case scanning, received, failed
    }

    /// How long a shown key can be used.
    static let keyMinutes: UInt32 = 10
    /// The largest fragment the sender may put in one frame: the default, QR version 25 at ECC M
    /// (docs/handover-frames.md §5).
    static let maxFragment: UInt16 = 939

    @Published private(set) var step: Step = .scanning
    @Published private(set) var key: ReceiverKey?
    @Published private(set) var keyImage: CGImage?
    @Published private(set) var progress: ScanProgress?
    @Published private(set) var received: ReceivedCase?
    @Published private(set) var ackImage: CGImage?
    @Published private(set) var failure: String?

    /// The sender's codes read so far (none once the case is in, or the reading failed).
    private var reading: FrameReading?
    private weak var model: AppModel?

    /// The acknowledgement's text, as its QR code encodes it, once the case is received.
    var ackText: String? { received?.ackText }

    /// Once, when the screen appears: a fresh key and an empty scanner.
    func start(_ model: AppModel) {
        guard self.model == nil else { return }
        self.model = model
        newKey()
    }

    /// A new key (the last one expired, or another sender is next) and a scanner from nothing.
    func newKey() {
        guard let model else { return }
        failure = nil
        received = nil
        ackImage = nil
        do {
            let key = try model.requireVault().openReceiveSession(minutes: Self.keyMinutes, maxFragment: Self.maxFragment)
            self.key = key
            keyImage = QRDrawing.cgImage(key.qr)
            let reading = FrameReading()
            self.reading = reading
            progress = reading.progress
            step = .scanning
        } catch VaultError.Locked {
            model.lock()
        } catch {
            fail(t("app.error.unexpected"))
        }
    }

    /// One decoded QR text from the camera. A code that is not a Relais frame, or a damaged one,
    /// is counted as refused and scanning goes on.
    func frameText(_ text: String) {
        guard step == .scanning, let reading else { return }
        model?.touch()
        switch reading.take(text) {
        case .reading:
            progress = reading.progress
        case .several:
            fail(t("app.handover.several"))
        case let .complete(scan):
            progress = reading.progress
            complete(scan)
        }
    }

    /// What the progress line says: waiting, or how much is in and how many codes were refused.
    var progressText: String {
        FrameReading.progressText(progress, model: model, waitingKey: "app.handover.waiting")
    }

    /// The case is whole: import it, and show the code to compare and the acknowledgement.
    private func complete(_ scan: HandoverReceiver) {
        guard let model else { return }
        do {
            let got = try model.requireVault().receiveHandover(receiver: scan)
            received = got
            ackImage = try? QRDrawing.cgImage(qrMatrix(text: got.ackText))
            reading = nil
            step = .received
        } catch VaultError.Locked {
            model.lock()
        } catch VaultError.HandoverRefused(let problem, _) {
            switch problem {
            case .oldFormat: fail(t("app.handover.receive_old_format"))
            case .wrongReceiver: fail(t("app.handover.receive_wrong_receiver"))
            case .future: fail(t("app.handover.receive_future"))
            default: fail(t("app.handover.receive_failed"))
            }
        } catch {
            fail(t("app.handover.receive_failed"))
        }
    }

    private func fail(_ message: String) {
        failure = message
        reading = nil
        step = .failed
    }

    private func t(_ key: String) -> String {
        model?.t(key) ?? key
    }
}
