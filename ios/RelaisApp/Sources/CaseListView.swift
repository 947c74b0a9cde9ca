import Foundation
import Relais
import SwiftUI

/// The cases on this phone: each one a large button with its pseudonymous code, its status, the
/// day it was opened, how many entries and referrals it holds and the outcome of its latest
/// screening. Tapping a case opens it. A damaged record (altered or moved) is marked and cannot be
/// opened. With no case yet, the screen says so and offers to start a quick check or an interview.
/// (Mirrors the Android `CaseListActivity`.)
struct CaseListView: View {
    @EnvironmentObject var model: AppModel
    @State private var loaded = false
    /// The cases, newest first; nil when they could not be read.
    @State private var cases: [CaseSummary]?

    var body: some View {
        Page(title: model.t("app.cases.title")) {
            if loaded {
                if let cases = cases {
                    if cases.isEmpty {
                        empty
                    } else {
                        Muted(model.t("app.cases.intro"))
                        ForEach(Array(cases.enumerated()), id: \.offset) { _, item in
                            row(item)
                        }
                    }
                } else {
                    Banner(text: model.t("app.cases.error"))
                }
            }
            BigButton(model.t("app.back")) { model.back() }
        }
        // Back from a case (a note, a new status, a deletion): the list shows what changed.
        .onAppear(perform: load)
    }

    // MARK: - Loading

    private func load() {
        do {
            let found = try model.requireVault().listCases()
            cases = CaseWords.stableSorted(found) { $0.createdAt > $1.createdAt }
        } catch VaultError.Locked {
            model.lock()
            return
        } catch {
            cases = nil
        }
        loaded = true
    }

    // MARK: - The list

    @ViewBuilder private var empty: some View {
        BodyText(model.t("app.cases.empty"))
        BigButton(model.t("app.home.quick_check"), role: .primary) { startForm(CaseWords.quickCheck) }
        BigButton(model.t("app.home.interview"), role: .primary) { startForm(CaseWords.interview) }
    }

    /// One case: a button that opens it, or a red mark when its record is damaged.
    @ViewBuilder private func row(_ item: CaseSummary) -> some View {
        if let code = item.code, !item.damaged {
            BigButton(summary(item, code: code)) { model.go(.caseDetail(code: code)) }
        } else {
            Banner(text: [item.code, model.t("app.cases.damaged")].compactMap { $0 }.joined(separator: "\n"))
        }
    }

    /// The lines of one case's button: code, status and date, outcome, counts.
    private func summary(_ item: CaseSummary, code: String) -> String {
        let opened = model.t("app.cases.opened", ["date": CaseWords.day(item.createdAt)])
        return [
            code,
            CaseWords.status(item.status, model) + " · " + opened,
            item.lastOutcome.map(outcomeLabel) ?? model.t("app.cases.not_screened"),
            model.t("app.cases.counts", [
                "entries": String(item.entries),
                "referrals": String(item.referrals),
            ]),
        ].joined(separator: "\n")
    }

    /// The latest screening's outcome, from the core's own labels (interview and quick check).
    private func outcomeLabel(_ id: String) -> String {
        for key in ["outcome.\(id)", "quick.outcome.\(id)"] {
            let label = model.t(key)
            if label != key { return label }
        }
        return id
    }

    private func startForm(_ form: String) {
        model.currentCase = nil
        model.go(.form(formId: form, caseCode: nil, resume: false))
    }
}

/// The words and dates the case screens share: status labels from the catalogue, days and moments
/// in the user's locale.
enum CaseWords {
    static let quickCheck = "quick-check"
    static let interview = "interview"

    /// Every status a case can have, in the core's order.
    static let statuses: [CaseStatus] = [.active, .followUp, .closed, .closedReferred]

    /// The status's name in the catalogue keys (`app.cases.status.follow_up`, `app.case.set.…`).
    static func key(_ status: CaseStatus) -> String {
        switch status {
        case .active: return "active"
        case .followUp: return "follow_up"
        case .closed: return "closed"
        case .closedReferred: return "closed_referred"
        }
    }

    @MainActor static func status(_ status: CaseStatus, _ model: AppModel) -> String {
        model.t("app.cases.status." + key(status))
    }

    /// A day (medium date), from seconds since 1970.
    static func day(_ seconds: Int64) -> String {
        DateFormatter.localizedString(
            from: Date(timeIntervalSince1970: TimeInterval(seconds)), dateStyle: .medium, timeStyle: .none
        )
    }

    /// A moment (medium date, short time), from seconds since 1970.
    static func moment(_ seconds: Int64) -> String {
        DateFormatter.localizedString(
            from: Date(timeIntervalSince1970: TimeInterval(seconds)), dateStyle: .medium, timeStyle: .short
        )
    }

    /// Sorted by `before`, items that compare equal keeping their order (as Kotlin's `sortedBy`).
    static func stableSorted<T>(_ items: [T], by before: (T, T) -> Bool) -> [T] {
        Array(items.enumerated())
            .sorted { a, b in
                if before(a.element, b.element) { return true }
                if before(b.element, a.element) { return false }
                return a.offset < b.offset
            }
            .map { $0.element }
    }
}
