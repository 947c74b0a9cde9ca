import Relais
import SwiftUI

/// "Hand over by QR", from a case: scan the receiver's key, the person's consent to that
/// organisation when it is missing, the animated QR codes with the six-digit code, then the
/// receiver's acknowledgement. The steps live in `HandoverSendFlow`; this view draws them.
/// The screen stays lit while it is shown (codes shown or scanned for a minute or more).
struct HandoverSendView: View {
    @EnvironmentObject var model: AppModel
    @StateObject private var flow: HandoverSendFlow
    @StateObject private var scanner = QRScanner()
    @State private var shownSince = Date()

    init(code: String) {
        _flow = StateObject(wrappedValue: HandoverSendFlow(code: code))
    }

    var body: some View {
        Page(title: model.t("app.handover.send_title")) {
            switch flow.step {
            case .opening:
                EmptyView()
            case .noCase:
                Banner(text: model.t("app.handover.no_case"))
                BigButton(model.t("app.back")) { model.back() }
            case .scanKey:
                scanning(model.t("app.handover.scan_key"), help: model.t("app.handover.scan_key_help"))
                BigButton(model.t("app.back")) { model.back() }
            case .consentQuestion:
                consentQuestion
            case .frames:
                framesShown
                BigButton(model.t("app.back")) { model.back() }
            case .scanAck:
                scanning(model.t("app.handover.scan_ack"), help: model.t("app.handover.scan_ack_help"))
                BigButton(model.t("app.handover.show_again")) { flow.showFramesAgain() }
                BigButton(model.t("app.back")) { model.back() }
            case .done:
                Banner(text: model.t("app.handover.acknowledged", ["organisation": flow.receiverOrganisation]), style: .info)
                if let sas = flow.sas { SasText(sas) }
                BigButton(model.t("app.handover.back_to_case"), role: .primary) { model.back() }
            case .notSent:
                if let message = flow.message { Banner(text: message) }
                Banner(text: model.t("app.handover.not_sent"), style: .info)
                BigButton(model.t("app.handover.back_to_case"), role: .primary) { model.back() }
            }
        }
        .onAppear {
            scanner.onText = { text in flow.scanned(text) }
            flow.start(model)
        }
        .screenKeptLit()
        .onChange(of: flow.frames.count) { _ in shownSince = Date() }
    }

    /// A scanning step: the code compared so far (when sealed), what to scan, why the last code
    /// was not used, and the camera.
    @ViewBuilder private func scanning(_ heading: String, help: String) -> some View {
        if let sas = flow.sas {
            SasText(sas)
            Muted(model.t("app.handover.to", ["organisation": flow.receiverOrganisation]))
        }
        Heading(heading)
        BodyText(help)
        if let message = flow.message { Banner(text: message) }
        CameraArea(scanner: scanner)
    }

    @ViewBuilder private var consentQuestion: some View {
        Heading(model.t("app.handover.consent_title"))
        BodyText(model.t("app.handover.consent_missing"))
        BodyText(model.t("app.handover.consent_question", ["organisation": flow.organisation]))
        BigButton(model.t("app.handover.consent_yes"), role: .primary) { flow.agreed() }
        BigButton(model.t("app.handover.consent_no")) { flow.refused() }
        BigButton(model.t("app.handover.scan_again")) { flow.scanAnotherKey() }
    }

    /// The animated codes: one frame every quarter of a second, looping, with the code to compare.
    @ViewBuilder private var framesShown: some View {
        if let sas = flow.sas {
            SasText(sas)
            BodyText(model.t("app.handover.sas_send"))
            Muted(model.t("app.handover.to", ["organisation": flow.receiverOrganisation]))
        }
        Heading(model.t("app.handover.show_frames"))
        if let message = flow.message { Banner(text: message) }
        if flow.frames.isEmpty {
            if flow.message == nil { Muted(model.t("app.handover.preparing")) }
        } else {
            TimelineView(.periodic(from: shownSince, by: HandoverSendFlow.frameSeconds)) { timeline in
                let frames = flow.frames
                if !frames.isEmpty {
                    let elapsed = max(0, timeline.date.timeIntervalSince(shownSince))
                    let index = Int(elapsed / HandoverSendFlow.frameSeconds) % frames.count
                    VStack(spacing: 8) {
                        QRCodeImage(image: frames[index])
                        Muted(model.t("app.handover.frame", ["index": String(index + 1), "count": String(frames.count)]))
                    }
                }
            }
        }
        BigButton(model.t("app.handover.to_ack"), role: .primary) { flow.toAck() }
    }
}
