import Relais
import SwiftUI
import UniformTypeIdentifiers

/// The NRM directory: the signed directory in use (who signed it, the coordinator's number, its
/// version and date, how many services and organisations, fictitious when it is the training
/// sample), importing a file (the system's file picker) or the coordinator's animated QR codes
/// (the camera of the handover screens, `QRScanner`), the first import's comparison of the
/// coordinator's number, refusals, forgetting the directory and its coordinator behind a warning
/// and a box to tick, the receivers remembered by their number, and this phone's identity. The
/// steps live in `DirectoryFlow`; this view draws them.
struct DirectoryView: View {
    @EnvironmentObject var model: AppModel
    @StateObject private var flow = DirectoryFlow()
    @StateObject private var scanner = QRScanner()
    @State private var picking = false
    @State private var confirmingSample = false
    @State private var resetting = false
    @State private var understood = false

    var body: some View {
        Page(title: model.t("app.directory.title")) {
            if let message = flow.message { Banner(text: message, style: flow.messageIsRefusal ? .danger : .info) }
            if flow.scanning {
                scanning
            } else if let first = flow.pending {
                firstImport(first)
            } else if resetting {
                reset
            } else {
                status
                BigButton(model.t("app.directory.import"), role: .primary) { picking = true }
                Muted(model.t("app.directory.import_help"))
                BigButton(model.t("app.directory.scan"), role: .primary) { flow.startScan() }
                Muted(model.t("app.directory.scan_help"))
                if !flow.trustsCoordinator {
                    BigButton(model.t("app.directory.sample")) { confirmingSample = true }
                }
                remembered
                identity
                if flow.trustsCoordinator {
                    Divider()
                    BigButton(model.t("app.directory.reset"), role: .danger) {
                        understood = false
                        resetting = true
                    }
                }
            }
            BigButton(model.t("app.back")) { model.back() }
        }
        .onAppear {
            scanner.onText = { text in flow.frameText(text) }
            flow.start(model)
        }
        .fileImporter(isPresented: $picking, allowedContentTypes: [.json, .plainText, .data]) { result in
            if case let .success(url) = result { flow.importFile(at: url) }
        }
        .confirmation(
            model.t("app.directory.sample_confirm"), isPresented: $confirmingSample,
            yes: model.t("app.directory.sample"), no: model.t("app.cancel")
        ) { flow.useSample() }
    }

    /// The coordinator's codes: how far the reading has come, and the camera (which runs only while
    /// this is on screen, and keeps the screen lit).
    @ViewBuilder private var scanning: some View {
        Heading(model.t("app.directory.scan_title"))
        if let failure = flow.scanFailure {
            Banner(text: failure)
            BigButton(model.t("app.directory.scan_again"), role: .primary) { flow.startScan() }
        } else {
            BodyText(model.t("app.directory.scan_steps"))
            BodyText(flow.scanProgressText)
            ProgressView(value: Double(flow.scanProgress?.percent ?? 0), total: 100)
                .tint(Palette.primary)
            CameraArea(scanner: scanner)
                .screenKeptLit()
        }
        BigButton(model.t("app.cancel")) { flow.cancelScan() }
    }

    /// Forgetting the directory and its coordinator: what it means, what is forgotten, and a red
    /// button that does nothing until the box is ticked.
    @ViewBuilder private var reset: some View {
        Heading(model.t("app.directory.reset_title"))
        Banner(text: model.t("app.directory.reset_warning"))
        status
        CheckLine(label: model.t("app.directory.reset_understood"), checked: $understood)
        BigButton(model.t("app.directory.reset_confirm"), role: .danger) {
            guard understood else { return }
            resetting = false
            understood = false
            flow.resetTrust()
        }
        .disabled(!understood)
        .opacity(understood ? 1 : 0.4)
        BigButton(model.t("app.cancel")) {
            resetting = false
            understood = false
        }
    }

    @ViewBuilder private var status: some View {
        if let d = flow.current {
            Heading(model.t("app.directory.status", [
                "name": d.name, "version": String(d.version), "date": TrustFormat.date(d.issuedAt),
            ]))
            if d.fictitious { Banner(text: model.t("app.directory.fictitious"), style: .warning) }
            BodyText(model.t("app.directory.signed_by", ["coordinator": d.coordinatorName]))
            Muted(model.t("app.directory.coordinator_number"))
            FingerprintText(d.coordinatorFingerprint, size: 20)
            BodyText(model.t("app.directory.counts", [
                "services": String(d.services), "organisations": String(d.organisations),
            ]))
        } else {
            Banner(text: model.t("app.directory.none"), style: .warning)
        }
    }

    @ViewBuilder private func firstImport(_ d: DirectoryStatus) -> some View {
        Heading(model.t("app.directory.first_title"))
        BodyText(model.t("app.directory.first_help"))
        BodyText(model.t("app.directory.signed_by", ["coordinator": d.coordinatorName]))
        Muted(model.t("app.directory.coordinator_number"))
        FingerprintText(d.coordinatorFingerprint)
        if d.fictitious { Banner(text: model.t("app.directory.fictitious"), style: .warning) }
        BigButton(model.t("app.directory.trust"), role: .primary) { flow.trust() }
        BigButton(model.t("app.cancel")) { flow.cancelPending() }
    }

    @ViewBuilder private var remembered: some View {
        if !flow.pinned.isEmpty {
            Heading(model.t("app.directory.pinned_title"))
            ForEach(flow.pinned, id: \.fingerprint) { r in
                BodyText(model.t("app.directory.pinned_line", [
                    "organisation": r.organisation, "date": TrustFormat.date(r.pinnedAt),
                ]))
                FingerprintText(r.fingerprint, size: 16)
                BigButton(model.t("app.directory.forget", ["organisation": r.organisation])) { flow.forget(r) }
            }
        }
    }

    @ViewBuilder private var identity: some View {
        if let me = flow.identity {
            Heading(model.t("app.directory.identity_title"))
            Muted(model.t("app.directory.identity_help"))
            FingerprintText(me.fingerprint, size: 20)
            Text(me.keyHex)
                .font(.system(.footnote, design: .monospaced))
                .foregroundColor(Palette.muted)
                .textSelection(.enabled)
                .frame(maxWidth: .infinity, alignment: .leading)
        }
    }
}
