import Foundation
import Relais

/// Reading one message shown as animated QR frames (docs/handover-frames.md): a case on "Receive a
/// case" (`HandoverReceiveFlow`), the signed directory file on the directory screen
/// (`DirectoryFlow`). The texts the camera (`QRScanner`) reads go into one core
/// `HandoverReceiver`, in any order; a code that is not a frame, or a damaged one, is counted as
/// refused and reading goes on. (Mirrors the Android `FrameScan`.)
@MainActor
final class FrameReading {
    enum Outcome {
        /// More codes are needed.
        case reading
        /// The message is whole: the receiver holds it.
        case complete(HandoverReceiver)
        /// Codes of two different messages were read.
        case several
    }

    let receiver: HandoverReceiver
    private(set) var progress: ScanProgress

    init() {
        let receiver = HandoverReceiver()
        self.receiver = receiver
        progress = receiver.progress()
    }

    /// One decoded QR text.
    func take(_ text: String) -> Outcome {
        do {
            progress = try receiver.scanText(text: text)
        } catch HandoverError.SeveralCases {
            return .several
        } catch {
            progress = receiver.progress()
        }
        return progress.status == .complete ? .complete(receiver) : .reading
    }

    /// What the progress line says: [waitingKey]'s text before any code, then how much is in and
    /// how many codes were refused.
    static func progressText(_ progress: ScanProgress?, model: AppModel?, waitingKey: String) -> String {
        guard let progress, progress.status != .waiting || progress.refused > 0 else {
            return model?.t(waitingKey) ?? waitingKey
        }
        return model?.t("app.handover.progress", [
            "percent": String(progress.percent),
            "parts": String(progress.received),
            "refused": String(progress.refused),
        ]) ?? ""
    }
}
