import Foundation
import Relais
import SwiftUI

/// Referring a case to a service. The core proposes services from the directory for what the
/// case's forms found, most urgent first, each with why it is proposed; categories with no service
/// are listed as gaps to raise with the NRM coordinator. The directory shipped today is the
/// fictitious Kwilu sample, and the screen says so in a yellow banner. Choosing a service shows its
/// details, a reason, the priority and the person's consent to this referral now — or, only for a
/// threat to life, the reason to refer without it; without either the core refuses and nothing is
/// stored (ReferralConfirmView.swift). The case's referrals follow, with their status, dates and
/// the next steps (sent, accepted, refused with its reason, completed).
/// (Mirrors the Android `ReferralActivity`.)
struct ReferralView: View {
    @EnvironmentObject var model: AppModel
    let code: String

    @State var loaded = false
    @State var directory: ServiceDirectory?
    /// The proposals for this case (computed once per visit); nil when they cannot be had.
    @State var proposals: ServiceProposals?
    @State var loadError: String?

    /// The service being confirmed, and what is typed and chosen for it.
    @State var chosen: ServiceMatch?
    @State var priority: Priority = .normal
    @State var reason = ""
    @State var overrideReason = ""
    @State var consentNow = false

    /// This case's referrals; nil when they could not be read.
    @State var mine: [Referral]? = []
    /// Typed rejection reasons, by referral id.
    @State var rejections: [String: String] = [:]

    @State var notice: String?
    @State var noticeIsDanger = false
    @State var noticeMark = 0

    init(code: String) {
        self.code = code
    }

    var body: some View {
        NoticePage(title: title, mark: noticeMark) {
            if loaded {
                if let found = proposals {
                    if found.fictitious { Banner(text: model.t("app.referral.demo"), style: .warning) }
                    if let notice = notice { Banner(text: notice, style: noticeIsDanger ? .danger : .info) }
                    if let match = chosen {
                        confirmation(match)
                    } else {
                        proposed(found)
                    }
                    existing
                    Divider()
                    BigButton(model.t("app.referral.open_case")) { model.replace(with: .caseDetail(code: code)) }
                } else {
                    Banner(text: loadError ?? model.t("app.error.unexpected"))
                    BigButton(model.t("app.case.all_cases")) { model.replace(with: .cases) }
                }
            }
            BigButton(model.t("app.back")) { model.back() }
        }
        .onAppear(perform: load)
    }

    private var title: String {
        loaded && proposals == nil ? model.t("app.case.refer") : model.t("app.referral.title", ["code": code])
    }

    // MARK: - Loading

    private func load() {
        if proposals == nil {
            do {
                // The signed directory imported on this phone; the fictitious sample before any.
                let dir = try directory ?? model.requireVault().serviceDirectory() ?? sampleDirectory()
                directory = dir
                proposals = try model.requireVault().proposeServices(
                    code: code, directory: dir, area: nil, language: model.language
                )
            } catch let error as VaultError {
                switch error {
                case .Locked:
                    model.lock()
                    return
                case .NoSuch:
                    loadError = model.t("app.case.not_found")
                default:
                    loadError = model.t("app.error.unexpected")
                }
            } catch {
                loadError = model.t("app.error.unexpected")
            }
        }
        loadReferrals()
        loaded = true
    }

    /// This case's referrals, read again after each change.
    func loadReferrals() {
        do {
            mine = try model.requireVault().referrals().filter { $0.caseCode == code }
        } catch VaultError.Locked {
            model.lock()
        } catch {
            mine = nil
        }
    }

    // MARK: - Proposals

    @ViewBuilder private func proposed(_ found: ServiceProposals) -> some View {
        if !found.explanation.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            BodyText(found.explanation)
        }
        if !found.proposals.isEmpty { Heading(model.t("app.referral.proposed")) }
        let ordered = CaseWords.stableSorted(found.proposals, by: {
            ReferralWords.rank($0.priority) < ReferralWords.rank($1.priority)
        })
        ForEach(Array(ordered.enumerated()), id: \.offset) { _, proposal in
            proposalView(proposal)
        }
        if !found.unmet.isEmpty {
            Banner(text: gaps(found.unmet))
        }
    }

    @ViewBuilder private func proposalView(_ proposal: Proposal) -> some View {
        Heading(model.t("app.referral.category", [
            "category": proposal.categoryLabel, "priority": proposal.priorityLabel,
        ]))
        if !proposal.because.isEmpty {
            Muted(model.t("app.referral.because", [
                "reasons": proposal.because.map(because).joined(separator: ", "),
            ]))
        }
        if proposal.services.isEmpty { Muted(model.t("app.referral.no_service")) }
        ForEach(Array(proposal.services.enumerated()), id: \.offset) { _, match in
            BigButton(matchLabel(match)) { choose(match, proposal) }
        }
    }

    /// The service, its area and why it fits, one per line.
    private func matchLabel(_ match: ServiceMatch) -> String {
        ([serviceName(match.service), match.service.area] + match.reasons)
            .filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            .joined(separator: "\n")
    }

    /// The categories no service covers, one per line under the heading.
    private func gaps(_ unmet: [String]) -> String {
        let lines = unmet.map { "\n• " + model.t("service." + $0) }
        return model.t("app.referral.unmet") + lines.joined()
    }

    /// A need (`medical`), a red flag (`flag:injury`) or `child`, in words.
    private func because(_ id: String) -> String {
        let flag = "flag:"
        if id == "child" { return model.t("app.referral.because_child") }
        if id.hasPrefix(flag) { return model.t("flag." + String(id.dropFirst(flag.count))) }
        return model.t("need." + id)
    }

    private func choose(_ match: ServiceMatch, _ proposal: Proposal) {
        chosen = match
        priority = proposal.priority
        reason = ""
        overrideReason = ""
        consentNow = false
        notice = nil
        noticeMark += 1
    }

    // MARK: - Helpers

    /// One vault call: a locked vault goes back to unlocking; a refusal is said in red (consent
    /// missing, a text refused, an unknown case); nil when it failed.
    func act<T>(onInvalid: String? = nil, _ call: (Vault) throws -> T) -> T? {
        model.vaultCall(onInvalid: onInvalid, tell: { say($0, danger: true) }, call)
    }

    /// A message at the top of the page, the case's referrals read again.
    func say(_ text: String, danger: Bool = false) {
        notice = text
        noticeIsDanger = danger
        noticeMark += 1
        loadReferrals()
    }

    func serviceName(_ service: ServiceView) -> String {
        model.t("app.referral.service", ["organisation": service.organisation, "service": service.service])
    }
}

/// The words of referrals: statuses and priorities as the catalogue names them.
enum ReferralWords {
    /// Every priority, most urgent first.
    static let priorities: [Priority] = [.emergency, .urgent, .normal]

    /// A priority's place, most urgent first (the core's order).
    static func rank(_ priority: Priority) -> Int {
        switch priority {
        case .emergency: return 0
        case .urgent: return 1
        case .normal: return 2
        }
    }

    static func key(_ priority: Priority) -> String {
        switch priority {
        case .emergency: return "emergency"
        case .urgent: return "urgent"
        case .normal: return "normal"
        }
    }

    static func key(_ status: ReferralStatus) -> String {
        switch status {
        case .draft: return "draft"
        case .sent: return "sent"
        case .accepted: return "accepted"
        case .rejected: return "rejected"
        case .completed: return "completed"
        }
    }

    @MainActor static func status(_ status: ReferralStatus, _ model: AppModel) -> String {
        model.t("app.referral.status." + key(status))
    }

    @MainActor static func priority(_ priority: Priority, _ model: AppModel) -> String {
        model.t("priority." + key(priority))
    }
}
