import Relais
import SwiftUI

/// "Hand over by QR", from a case: scan the receiver's key; who it belongs to (verified and
/// listed, verified by you, or not verified with its 30-digit fingerprint to compare with the
/// receiving screen); the person's consent to that receiver when it is missing; the animated QR
/// codes; then the receiver's acknowledgement. The steps live in `HandoverSendFlow`; this view
/// draws them.
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
            case .verify:
                verify
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

    /// Who the receiver is, as this phone can tell: the first thing every later step shows.
    @ViewBuilder private func receiverLines(_ seen: ReceiverCheckView) -> some View {
        switch seen.verification {
        case .listed:
            if seen.area.isEmpty {
                Banner(text: model.t("app.handover.verified_listed_no_area", ["organisation": seen.organisation]), style: .info)
            } else {
                Banner(text: model.t("app.handover.verified_listed", ["organisation": seen.organisation, "area": seen.area]), style: .info)
            }
            if seen.fictitious { Banner(text: model.t("app.handover.verified_fictitious"), style: .warning) }
        case .pinned:
            Banner(text: model.t("app.handover.verified_pinned", [
                "date": TrustFormat.date(seen.pinnedAt ?? 0), "organisation": seen.organisation,
            ]), style: .info)
        case .notVerified:
            if flow.confirmed != nil {
                BodyText(model.t("app.handover.compared", ["organisation": seen.claimed]))
            } else {
                Banner(text: model.t("app.handover.not_verified", ["organisation": seen.claimed]))
            }
        }
    }

    /// A receiver no directory vouches for: its fingerprint, compared in full before sealing.
    @ViewBuilder private var verify: some View {
        if let seen = flow.check {
            receiverLines(seen)
            Heading(model.t("app.handover.compare_title"))
            BodyText(model.t("app.handover.compare_help"))
            FingerprintText(seen.fingerprint)
            CheckLine(label: model.t("app.handover.remember"), checked: $flow.remember)
            BigButton(model.t("app.handover.fingerprint_same"), role: .primary) { flow.same() }
            BigButton(model.t("app.handover.fingerprint_different"), role: .danger) { flow.different() }
        }
    }

    /// A scanning step: who the case went to (when sealed), what to scan, why the last code was
    /// not used, and the camera.
    @ViewBuilder private func scanning(_ heading: String, help: String) -> some View {
        if flow.sealed {
            Muted(model.t("app.handover.to", ["organisation": flow.receiverOrganisation]))
        }
        Heading(heading)
        BodyText(help)
        if let message = flow.message { Banner(text: message) }
        CameraArea(scanner: scanner)
    }

    @ViewBuilder private var consentQuestion: some View {
        if let seen = flow.check { receiverLines(seen) }
        Heading(model.t("app.handover.consent_title"))
        BodyText(model.t("app.handover.consent_missing"))
        BodyText(model.t("app.handover.consent_question", ["organisation": flow.consentTarget]))
        BigButton(model.t("app.handover.consent_yes"), role: .primary) { flow.agreed() }
        BigButton(model.t("app.handover.consent_no")) { flow.refused() }
        BigButton(model.t("app.handover.scan_again")) { flow.scanAnotherKey() }
    }

    /// The animated codes: one frame every quarter of a second, looping, under who they go to.
    @ViewBuilder private var framesShown: some View {
        if let seen = flow.receiver {
            receiverLines(seen)
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
