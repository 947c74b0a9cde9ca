import Foundation
import Relais
import SwiftUI

/// One case: its code, status and dates, whether it came from another organisation, then
/// everything recorded in it in time order — screenings and assessments (tap one to see its
/// result again), consents given, notes, handovers sent, received and acknowledged — and its
/// referrals with their status. From here the worker adds a note, continues with another form
/// (needs, risk, consent, interview), refers to a service, hands the case over by QR code, moves
/// the case to follow-up, closes or reopens it, or deletes it after confirming.
/// (Mirrors the Android `CaseDetailActivity`.)
struct CaseDetailView: View {
    @EnvironmentObject var model: AppModel
    let code: String

    @State private var loaded = false
    @State private var detail: CaseDetail?
    /// Why the case is not shown (unknown case, unexpected failure).
    @State private var failure: String?
    @State private var formInfos: [FormInfo] = []

    /// A confirmation or refusal from the last action, shown at the top.
    @State private var notice: String?
    @State private var noticeIsDanger = false
    /// Changed by every action's message: the page scrolls back up to it.
    @State private var noticeMark = 0

    /// A note typed but not yet stored (kept when the vault refuses it).
    @State private var noteDraft = ""
    @State private var confirmingDelete = false

    /// The forms that continue a case after its screening.
    static let followOnForms = ["needs", "risk", "consent", "interview"]

    init(code: String) {
        self.code = code
    }

    var body: some View {
        NoticePage(title: title, mark: noticeMark) {
            if loaded {
                if let detail = detail {
                    header(detail)
                    history(detail)
                    referrals(detail.referrals)
                    note(detail.code)
                    formButtons(detail.code)
                    services(detail.code)
                    statusMoves(detail)
                    Divider()
                    BigButton(model.t("app.case.delete"), role: .danger) { confirmingDelete = true }
                } else {
                    Banner(text: failure ?? model.t("app.error.unexpected"))
                }
                BigButton(model.t("app.case.all_cases")) { toList() }
            }
            BigButton(model.t("app.back")) { model.back() }
        }
        // Back from a form, a referral or a handover: what they added is shown.
        .onAppear(perform: load)
        .confirmation(
            model.t("app.case.delete_confirm", ["code": code]), isPresented: $confirmingDelete,
            yes: model.t("app.case.delete"), no: model.t("app.cancel"), action: delete
        )
    }

    private var title: String {
        loaded && detail == nil ? model.t("app.cases.title") : model.t("app.case.title", ["code": code])
    }

    // MARK: - Loading

    /// The case, or a message (unknown case); a locked vault goes back to unlocking.
    private func load() {
        formInfos = forms(language: model.language)
        do {
            let found = try model.requireVault().caseDetail(code: code)
            detail = found
            failure = nil
            model.currentCase = found.code
        } catch let error as VaultError {
            detail = nil
            switch error {
            case .Locked:
                model.lock()
                return
            case .NoSuch:
                failure = model.t("app.case.not_found")
            default:
                failure = model.t("app.error.unexpected")
            }
        } catch {
            detail = nil
            failure = model.t("app.error.unexpected")
        }
        loaded = true
    }

    // MARK: - The case

    @ViewBuilder private func header(_ detail: CaseDetail) -> some View {
        if let notice = notice { Banner(text: notice, style: noticeIsDanger ? .danger : .info) }
        BodyText(model.t("app.case.status", ["status": CaseWords.status(detail.status, model)]))
        Muted(model.t("app.cases.opened", ["date": CaseWords.day(detail.createdAt)]))
        if let closed = detail.closedAt { Muted(model.t("app.case.closed_on", ["date": CaseWords.day(closed)])) }
        if detail.imported { Banner(text: model.t("app.case.imported"), style: .info) }
        if !detail.damaged.isEmpty {
            Banner(text: model.t("app.case.damaged", ["count": String(detail.damaged.count)]))
        }
    }

    // MARK: - What is recorded

    @ViewBuilder private func history(_ detail: CaseDetail) -> some View {
        Heading(model.t("app.case.history"))
        if detail.entries.isEmpty { Muted(model.t("app.case.no_entries")) }
        let entries = CaseWords.stableSorted(detail.entries, by: { $0.createdAt < $1.createdAt })
        ForEach(entries, id: \.id) { entry in
            entryView(entry, code: detail.code)
        }
    }

    @ViewBuilder private func entryView(_ entry: EntryView, code: String) -> some View {
        let time = CaseWords.moment(entry.createdAt)
        if let result = entry.result {
            let line = model.t("app.case.entry.form", [
                "form": formTitle(entry.formId), "outcome": result.outcomeLabel,
            ])
            BigButton(time + "\n" + line) {
                model.currentCase = code
                model.lastResult = result
                model.go(.result(caseCode: code))
            }
        } else if entry.kind == .note {
            Muted(time + " · " + model.t("app.case.entry.note"))
            BodyText(entry.note ?? "")
        } else if entry.kind == .consent {
            Muted(time)
            BodyText(consentText(entry))
        } else if entry.kind == .custody {
            Muted(time)
            BodyText(custodyText(entry))
        } else {
            Muted(time + " · " + formTitle(entry.formId))
        }
    }

    private func consentText(_ entry: EntryView) -> String {
        model.t("app.case.entry.consent", [
            "purposes": entry.consentPurposes.map { model.t("consent.purpose." + $0) }.joined(separator: ", "),
            "scope": entry.consentScope ?? "",
        ])
    }

    /// A handover sent, received or acknowledged, with the other organisation.
    private func custodyText(_ entry: EntryView) -> String {
        let event = entry.custodyEvent ?? "sent"
        return model.t("app.case.entry." + event, ["organisation": entry.organisation ?? ""])
    }

    @ViewBuilder private func referrals(_ referrals: [Referral]) -> some View {
        if !referrals.isEmpty {
            Heading(model.t("app.case.referrals"))
            let sorted = CaseWords.stableSorted(referrals, by: { $0.createdAt < $1.createdAt })
            ForEach(sorted, id: \.id) { referral in
                BodyText(model.t("app.case.referral", [
                    "organisation": referral.organisation,
                    "service": referral.service,
                    "status": ReferralWords.status(referral.status, model),
                ]))
            }
        }
    }

    // MARK: - Actions

    @ViewBuilder private func note(_ code: String) -> some View {
        Heading(model.t("app.case.entry.note"))
        InputField(hint: model.t("app.case.note_hint"), text: $noteDraft, kind: .note)
        BigButton(model.t("app.case.add_note"), role: .primary) { addNote(code) }
    }

    private func addNote(_ code: String) {
        let text = noteDraft
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            say(model.t("app.case.note_empty"), danger: true)
            return
        }
        if act(onInvalid: model.t("app.case.note_too_long"), { try $0.addNote(code: code, text: text) }) != nil {
            noteDraft = ""
            say(model.t("app.case.note_added"))
        }
    }

    @ViewBuilder private func formButtons(_ code: String) -> some View {
        Heading(model.t("app.case.forms"))
        ForEach(Self.followOnForms, id: \.self) { form in
            BigButton(formTitle(form)) {
                model.currentCase = code
                model.lastResult = nil
                model.go(.form(formId: form, caseCode: code, resume: false))
            }
        }
    }

    @ViewBuilder private func services(_ code: String) -> some View {
        Heading(model.t("app.case.actions"))
        BigButton(model.t("app.case.refer"), role: .primary) { model.go(.referral(code: code)) }
        BigButton(model.t("app.case.handover")) { model.go(.handoverSend(code: code)) }
    }

    /// The moves that make sense from the current status: a closed case is reopened.
    @ViewBuilder private func statusMoves(_ detail: CaseDetail) -> some View {
        Heading(model.t("app.case.status_heading"))
        let closed = detail.status == .closed || detail.status == .closedReferred
        let moves: [CaseStatus] = closed ? [.active] : CaseWords.statuses.filter { $0 != detail.status }
        ForEach(moves, id: \.self) { target in
            BigButton(closed ? model.t("app.case.reopen") : model.t("app.case.set." + CaseWords.key(target))) {
                setStatus(detail.code, target)
            }
        }
    }

    private func setStatus(_ code: String, _ target: CaseStatus) {
        if act({ try $0.setCaseStatus(code: code, status: target) }) != nil {
            say(model.t("app.case.status_changed", ["status": CaseWords.status(target, model)]))
        }
    }

    private func delete() {
        if act({ try $0.deleteCase(code: code) }) != nil {
            model.currentCase = nil
            model.lastResult = nil
            toList()
        }
    }

    /// To the list of cases, with home below it (Android: the list brought to the top).
    private func toList() {
        model.goHome()
        model.go(.cases)
    }

    // MARK: - Helpers

    /// Runs one vault call: a locked vault goes back to unlocking, an unknown case or a refused
    /// text says so; nil when it failed.
    private func act<T>(onInvalid: String? = nil, _ call: (Vault) throws -> T) -> T? {
        model.vaultCall(onInvalid: onInvalid, tell: { say($0, danger: true) }, call)
    }

    /// A message at the top of the page, the case read again.
    private func say(_ text: String, danger: Bool = false) {
        notice = text
        noticeIsDanger = danger
        noticeMark += 1
        load()
    }

    private func formTitle(_ id: String?) -> String {
        formInfos.first(where: { $0.id == id })?.title ?? (id ?? "")
    }
}

/// A `Page` that scrolls back up to its top each time `mark` changes, so that the message an
/// action shows there is seen (the Android screens rebuild their page, which starts at the top).
struct NoticePage<Content: View>: View {
    let title: String
    let mark: Int
    @ViewBuilder let content: () -> Content

    private static var top: String { "notice-page-top" }

    var body: some View {
        ScrollViewReader { proxy in
            Page(title: title) {
                Color.clear.frame(height: 0).id(Self.top)
                content()
            }
            .onChange(of: mark) { _ in
                DispatchQueue.main.async {
                    withAnimation { proxy.scrollTo(Self.top, anchor: .top) }
                }
            }
        }
    }
}
