import Relais
import SwiftUI

/// The result of a form, explained, and what to do next: a red banner with the red flags first
/// when the person must be helped now, the outcome in large type, why, what was found (ILO
/// dimensions and indicators, needs by priority, risks, consent given), the numbered next steps,
/// then the ways on for this case — needs, risk and consent forms, referral, the case file, home.
/// Every word of the result comes from the core, in the language the form was filled in.
///
/// Shows the result just computed (`AppModel.lastResult`), or else the case's latest.
struct ResultView: View {
    @EnvironmentObject var model: AppModel
    @State private var loaded = false
    @State private var result: FormResultView?

    let caseCode: String?

    /// The forms that follow a screening for the same case.
    static let followUps = ["needs", "risk", "consent"]

    init(caseCode: String?) {
        self.caseCode = caseCode
    }

    private var code: String? { caseCode ?? model.currentCase }

    var body: some View {
        Page(title: model.t("app.result.title")) {
            if loaded {
                if let result = result {
                    outcome(result)
                    findings(result)
                    nextSteps(result)
                } else {
                    BodyText(model.t("app.result.none"))
                }
                if let code = code { Muted(model.t("app.result.case", ["code": code])) }
                actions
            }
        }
        .onAppear(perform: load)
    }

    // MARK: - Loading

    private func load() {
        do {
            result = try latest()
        } catch VaultError.Locked {
            model.lock()
            return
        } catch {
            result = nil
        }
        loaded = true
    }

    /// The result just computed for this case, or the latest one saved in it.
    private func latest() throws -> FormResultView? {
        if let last = model.lastResult, code == nil || model.currentCase == code { return last }
        guard let code = code else { return nil }
        let entries = try model.requireVault().caseDetail(code: code).entries
        return entries.last(where: { $0.result != nil })?.result
    }

    // MARK: - The result

    @ViewBuilder private func outcome(_ result: FormResultView) -> some View {
        // What the result rests on comes first when questions that could change it have no
        // answer: an unfinished check never reads as a clean "no flags".
        if let completeness = result.completeness, !completeness.clean {
            Banner(text: completeness.summary, style: .warning)
            if !completeness.open.isEmpty {
                Muted(model.t("app.result.open_questions"))
                bullets(completeness.open.prefix(5).map { $0.label })
            }
        }
        if result.urgent { Banner(text: urgent(result)) }
        Text(result.outcomeLabel)
            .font(.largeTitle.bold())
            .foregroundColor(Palette.ink)
            .frame(maxWidth: .infinity, alignment: .leading)
            .accessibilityAddTraits(.isHeader)
        if !result.explanation.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            Heading(model.t("app.result.why"))
            BodyText(result.explanation)
        }
    }

    /// "Urgent", then the red flags, one per line.
    private func urgent(_ result: FormResultView) -> String {
        let flags = result.redFlags.map { "\n• " + $0.label }.joined()
        let header = result.redFlags.isEmpty ? "" : "\n" + model.t("app.result.red_flags")
        return model.t("app.result.urgent") + header + flags
    }

    /// What the form found, by kind: the Protocol's reading and the triage, dimensions and
    /// indicators, needs, risks, consent.
    @ViewBuilder private func findings(_ result: FormResultView) -> some View {
        if let reading = result.protocolReading, !reading.lines.isEmpty {
            Heading(model.t("app.result.protocol"))
            bullets(reading.lines)
        }
        if !result.triage.isEmpty {
            Heading(model.t("app.result.triage"))
            ForEach(result.triage, id: \.id) { item in
                Text(item.label)
                    .font(.body.bold())
                    .foregroundColor(Palette.ink)
                    .frame(maxWidth: .infinity, alignment: .leading)
                BodyText(item.explanation)
            }
        }
        let found = result.dimensions.filter { !$0.indicators.isEmpty }
        if !found.isEmpty {
            Heading(model.t("app.result.dimensions"))
            ForEach(found, id: \.id) { dimension in
                Text(dimension.positive
                     ? model.t("app.result.dimension_met", ["dimension": dimension.title])
                     : dimension.title)
                    .font(.body.bold())
                    .foregroundColor(Palette.ink)
                    .frame(maxWidth: .infinity, alignment: .leading)
                bullets(dimension.indicators.map { $0.title })
            }
        }
        if !result.indicators.isEmpty {
            Heading(model.t("app.result.indicators"))
            bullets(result.indicators.map { $0.title })
        }
        if result.kind == .needs && !result.needs.isEmpty {
            Heading(model.t("app.result.needs"))
            bullets(result.needs.map { level($0.label, $0.priorityLabel) })
        }
        if result.kind == .risk && !result.risks.isEmpty {
            Heading(model.t("app.result.risks"))
            bullets(result.risks.map { level($0.targetLabel, $0.levelLabel) })
        }
        if let consent = result.consent { consentPart(consent) }
    }

    private func level(_ label: String, _ level: String) -> String {
        model.t("app.result.level", ["label": label, "level": level])
    }

    @ViewBuilder private func consentPart(_ consent: ConsentView) -> some View {
        Heading(model.t("app.result.consent"))
        consentGroup("app.result.consent.informed", consent.informed)
        consentGroup("app.result.consent.not_informed", consent.notInformed)
        consentGroup("app.result.consent.agreed", consent.agreed)
        consentGroup("app.result.consent.declined", consent.declined)
        consentGroup("app.result.consent.authorised", consent.authorised)
    }

    @ViewBuilder private func consentGroup(_ key: String, _ items: [Labelled]) -> some View {
        if !items.isEmpty {
            Muted(model.t(key))
            bullets(items.map { $0.label })
        }
    }

    @ViewBuilder private func nextSteps(_ result: FormResultView) -> some View {
        if !result.nextSteps.isEmpty {
            Heading(model.t("app.result.next_steps"))
            ForEach(Array(result.nextSteps.enumerated()), id: \.offset) { index, step in
                BodyText(String(index + 1) + ". " + step.label)
            }
        }
    }

    /// A list of short lines, each on its own line with a bullet.
    private func bullets(_ lines: [String]) -> some View {
        ForEach(Array(lines.enumerated()), id: \.offset) { _, line in
            BodyText("• " + line)
        }
    }

    // MARK: - The ways on

    /// The other forms for this case, referral, the case file, home.
    @ViewBuilder private var actions: some View {
        Divider()
        if let code = code {
            Heading(model.t("app.result.more"))
            ForEach(Self.followUps, id: \.self) { form in
                BigButton(title(of: form)) { model.go(.form(formId: form, caseCode: code, resume: false)) }
            }
            BigButton(model.t("app.result.refer"), role: .primary) { model.go(.referral(code: code)) }
            BigButton(model.t("app.result.open_case")) { model.go(.caseDetail(code: code)) }
        }
        BigButton(model.t("app.result.home")) { model.goHome() }
        BigButton(model.t("app.back")) { model.back() }
    }

    private func title(of form: String) -> String {
        forms(language: model.language).first(where: { $0.id == form })?.title ?? form
    }
}
