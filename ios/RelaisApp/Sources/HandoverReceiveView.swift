import Relais
import SwiftUI

/// "Receive a case": the key for the sender to scan with this phone's fingerprint under it, then
/// the camera reading the sender's codes with a progress bar; once the case is in, who sent it
/// (verified, or a claimed name with its fingerprint), and the acknowledgement for the sender to
/// scan. The steps live in `HandoverReceiveFlow`; this view
/// draws them. The screen stays lit while it is shown.
struct HandoverReceiveView: View {
    @EnvironmentObject var model: AppModel
    @StateObject private var flow = HandoverReceiveFlow()
    @StateObject private var scanner = QRScanner()

    var body: some View {
        Page(title: model.t(flow.step == .received ? "app.handover.received_title" : "app.handover.receive_title")) {
            switch flow.step {
            case .scanning:
                scanning
            case .received:
                received
            case .failed:
                Banner(text: flow.failure ?? model.t("app.error.unexpected"))
                BigButton(model.t("app.handover.new_key"), role: .primary) { flow.newKey() }
            }
            BigButton(model.t("app.back")) { model.back() }
        }
        .onAppear {
            scanner.onText = { text in flow.frameText(text) }
            flow.start(model)
        }
        .screenKeptLit()
    }

    @ViewBuilder private var scanning: some View {
        if let key = flow.key {
            Heading(model.t("app.handover.show_key"))
            if let image = flow.keyImage { QRCodeImage(image: image) }
            BodyText(model.t("app.handover.receiving_as", ["organisation": key.organisation]))
            Muted(model.t("app.handover.your_fingerprint"))
            FingerprintText(key.fingerprint)
            Muted(model.t("app.handover.valid_for", ["minutes": String(HandoverReceiveFlow.keyMinutes)]))
            BigButton(model.t("app.handover.new_key")) { flow.newKey() }
            Divider()
            Heading(model.t("app.handover.scan_frames"))
            BodyText(flow.progressText)
            ProgressView(value: Double(flow.progress?.percent ?? 0), total: 100)
                .tint(Palette.primary)
            CameraArea(scanner: scanner)
        }
    }

    @ViewBuilder private var received: some View {
        if let got = flow.received {
            if got.fromVerified {
                Banner(text: model.t("app.handover.from_verified", ["organisation": got.fromOrganisation]), style: .info)
            } else {
                Banner(text: model.t("app.handover.from_unverified", ["organisation": got.fromOrganisation]), style: .warning)
                Muted(model.t("app.handover.sender_fingerprint"))
                FingerprintText(got.fromFingerprint, size: 22)
            }
            if got.alreadyReceived { Banner(text: model.t("app.handover.already"), style: .info) }
            Heading(model.t("app.handover.show_ack"))
            if let image = flow.ackImage { QRCodeImage(image: image) }
            BigButton(model.t("app.handover.open_case"), role: .primary) {
                model.replace(with: .caseDetail(code: got.caseCode))
            }
        }
    }
}
