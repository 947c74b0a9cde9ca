import Relais
import SwiftUI
import UniformTypeIdentifiers

/// The NRM directory: the signed directory in use (who signed it, the coordinator's number, its
/// version and date, how many services and organisations, fictitious when it is the training
/// sample), importing a file (the system's file picker), the first import's comparison of the
/// coordinator's number, refusals, the receivers remembered by their number, and this phone's
/// identity. The steps live in `DirectoryFlow`; this view draws them.
struct DirectoryView: View {
    @EnvironmentObject var model: AppModel
    @StateObject private var flow = DirectoryFlow()
    @State private var picking = false
    @State private var confirmingSample = false

    var body: some View {
        Page(title: model.t("app.directory.title")) {
            if let message = flow.message { Banner(text: message, style: flow.messageIsRefusal ? .danger : .info) }
            if let first = flow.pending {
                firstImport(first)
            } else {
                status
                BigButton(model.t("app.directory.import"), role: .primary) { picking = true }
                Muted(model.t("app.directory.import_help"))
                if !flow.trustsCoordinator {
                    BigButton(model.t("app.directory.sample")) { confirmingSample = true }
                }
                remembered
                identity
            }
            BigButton(model.t("app.back")) { model.back() }
        }
        .onAppear { flow.start(model) }
        .fileImporter(isPresented: $picking, allowedContentTypes: [.json, .plainText, .data]) { result in
            if case let .success(url) = result { flow.importFile(at: url) }
        }
        .confirmation(
            model.t("app.directory.sample_confirm"), isPresented: $confirmingSample,
            yes: model.t("app.directory.sample"), no: model.t("app.cancel")
        ) { flow.useSample() }
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
