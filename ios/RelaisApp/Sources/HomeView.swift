import Relais
import SwiftUI

/// Home: a form left unfinished when the phone locked comes first (continue or discard it), then
/// the field jobs (quick check, interview), cases, receiving, the NRM directory, settings and the lock.
struct HomeView: View {
    @EnvironmentObject var model: AppModel
    @State private var organisation = ""
    @State private var pending: PendingDraft?
    @State private var confirmingDiscard = false

    var body: some View {
        Page(title: model.t("app.name")) {
            if !organisation.isEmpty { Muted(organisation) }
            if let pending { pendingBanner(pending) }
            BigButton(model.t("app.home.quick_check"), role: .primary) { startForm("quick-check") }
            BigButton(model.t("app.home.interview"), role: .primary) { startForm("interview") }
            BigButton(model.t("app.home.cases")) { model.go(.cases) }
            BigButton(model.t("app.home.receive")) { model.go(.handoverReceive) }
            BigButton(model.t("app.home.directory")) { model.go(.directory) }
            BigButton(model.t("app.home.settings")) { model.go(.settings) }
            BigButton(model.t("app.home.lock"), role: .danger) { model.lock() }
        }
        .onAppear(perform: load)
        .confirmation(
            model.t("app.home.discard_confirm"), isPresented: $confirmingDiscard,
            yes: model.t("app.home.discard"), no: model.t("app.cancel")
        ) {
            try? model.requireVault().discardPendingDraft()
            load()
        }
    }

    @ViewBuilder private func pendingBanner(_ pending: PendingDraft) -> some View {
        let title = forms(language: model.language).first(where: { $0.id == pending.formId })?.title ?? pending.formId
        let date = DateFormatter.localizedString(
            from: Date(timeIntervalSince1970: TimeInterval(pending.savedAt)), dateStyle: .medium, timeStyle: .short
        )
        Banner(text: model.t("app.home.pending", ["form": title, "date": date]), style: .info)
        BigButton(model.t("app.home.continue"), role: .primary) {
            model.currentCase = pending.caseCode
            model.go(.form(formId: pending.formId, caseCode: pending.caseCode, resume: true))
        }
        BigButton(model.t("app.home.discard")) { confirmingDiscard = true }
    }

    private func load() {
        guard let vault = try? model.requireVault() else { return }
        organisation = (try? vault.organisation()) ?? ""
        pending = try? vault.pendingDraft()
    }

    private func startForm(_ form: String) {
        model.currentCase = nil
        model.go(.form(formId: form, caseCode: nil, resume: false))
    }
}
