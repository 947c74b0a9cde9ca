import Foundation
import Relais
import SwiftUI

/// The two lower parts of the referral screen: confirming one referral (the chosen service's
/// details, the reason, the priority, the consent given now or the override for a threat to life)
/// and the case's referrals with their status, dates and the next steps (a refusal needs its
/// reason).
extension ReferralView {
    // MARK: - Confirming one referral

    @ViewBuilder func confirmation(_ match: ServiceMatch) -> some View {
        serviceCard(match)
        InputField(hint: model.t("app.referral.reason_hint"), text: $reason, kind: .note)
        priorityChoice
        CheckLine(label: model.t("app.referral.consent_now"), checked: $consentNow)
        Muted(model.t("app.referral.override_help"))
        InputField(hint: model.t("app.referral.override_hint"), text: $overrideReason, kind: .note)
        BigButton(model.t("app.referral.refer"), role: .primary) { submit(match.service) }
        BigButton(model.t("app.cancel")) {
            chosen = nil
            notice = nil
        }
    }

    /// The chosen service: its name, particulars and why it fits.
    @ViewBuilder func serviceCard(_ match: ServiceMatch) -> some View {
        Heading(model.t("app.referral.confirm"))
        Text(serviceName(match.service))
            .font(.body.bold())
            .foregroundColor(Palette.ink)
            .frame(maxWidth: .infinity, alignment: .leading)
        ForEach(Array(details(match.service).enumerated()), id: \.offset) { _, line in Muted(line) }
        ForEach(Array(match.reasons.enumerated()), id: \.offset) { _, why in Muted("• " + why) }
    }

    /// The priority, the proposal's own chosen at first.
    @ViewBuilder var priorityChoice: some View {
        Heading(model.t("app.referral.priority"))
        ForEach(ReferralWords.priorities, id: \.self) { level in
            let label = capitalised(ReferralWords.priority(level, model))
            BigButton(level == priority ? "✓ " + label : label, role: level == priority ? .primary : .normal) {
                priority = level
            }
        }
    }

    /// The service's particulars, each on its own line, empty ones left out.
    func details(_ service: ServiceView) -> [String] {
        func filled(_ value: String) -> Bool { !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        var lines: [String] = []
        if filled(service.area) { lines.append(model.t("app.referral.area", ["area": service.area])) }
        if filled(service.address) { lines.append(model.t("app.referral.address", ["address": service.address])) }
        if filled(service.phone) { lines.append(model.t("app.referral.phone", ["phone": service.phone])) }
        if filled(service.email) { lines.append(model.t("app.referral.email", ["email": service.email])) }
        if filled(service.hours) { lines.append(model.t("app.referral.hours", ["hours": service.hours])) }
        if !service.languages.isEmpty {
            lines.append(model.t("app.referral.languages", ["languages": service.languages.joined(separator: ", ")]))
        }
        if service.takesChildren { lines.append(model.t("app.referral.takes_children")) }
        if filled(service.notes) { lines.append(service.notes) }
        return lines
    }

    /// A priority's label with its first letter in capitals (as the Android buttons).
    func capitalised(_ label: String) -> String {
        String(label.prefix(1)).uppercased(with: Locale.current) + String(label.dropFirst())
    }

    /// Refers with what is typed: a reason is needed; the override counts only without consent.
    func submit(_ service: ServiceView) {
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if why.isEmpty {
            say(model.t("app.referral.reason_missing"), danger: true)
            return
        }
        let typedOverride = overrideReason.trimmingCharacters(in: .whitespacesAndNewlines)
        let override: String? = typedOverride.isEmpty || consentNow ? nil : typedOverride
        let level = priority
        let given = consentNow
        let done = act(onInvalid: model.t("app.referral.text_invalid"), {
            try $0.refer(
                code: code, service: service, priority: level, reason: why,
                consentGivenNow: given, overrideReason: override
            )
        })
        if done != nil {
            chosen = nil
            reason = ""
            overrideReason = ""
            consentNow = false
            say(model.t("app.referral.recorded"))
        }
    }

    // MARK: - The case's referrals

    @ViewBuilder var existing: some View {
        Heading(model.t("app.referral.existing"))
        if let mine = mine {
            if mine.isEmpty { Muted(model.t("app.referral.none")) }
            let sorted = CaseWords.stableSorted(mine, by: { $0.createdAt < $1.createdAt })
            ForEach(sorted, id: \.id) { referral in
                referralView(referral)
            }
        } else {
            Banner(text: model.t("app.error.unexpected"))
        }
    }

    @ViewBuilder func referralView(_ referral: Referral) -> some View {
        Divider()
        Text(model.t("app.referral.service", ["organisation": referral.organisation, "service": referral.service]))
            .font(.body.bold())
            .foregroundColor(Palette.ink)
            .frame(maxWidth: .infinity, alignment: .leading)
        BodyText(model.t("app.referral.status_line", [
            "status": ReferralWords.status(referral.status, model),
            "priority": ReferralWords.priority(referral.priority, model),
        ]))
        Muted(model.t("app.referral.dates", [
            "created": CaseWords.moment(referral.createdAt),
            "updated": CaseWords.moment(referral.updatedAt),
        ]))
        Muted(referral.reason)
        if let override = referral.overrideReason {
            Muted(model.t("app.referral.override", ["reason": override]))
        } else {
            Muted(model.t("app.referral.with_consent"))
        }
        if let refusal = referral.rejectionReason {
            Muted(model.t("app.referral.rejected_because", ["reason": refusal]))
        }
        ForEach(referral.nextStatuses, id: \.self) { next in
            if next == .rejected {
                InputField(hint: model.t("app.referral.rejection_hint"), text: rejection(referral.id), kind: .note)
            }
            BigButton(model.t("app.referral.to." + ReferralWords.key(next))) { move(referral, next) }
        }
    }

    /// The rejection reason typed for one referral.
    func rejection(_ id: String) -> Binding<String> {
        Binding(get: { rejections[id] ?? "" }, set: { rejections[id] = $0 })
    }

    /// Moves a referral on; a refusal needs its reason.
    func move(_ referral: Referral, _ next: ReferralStatus) {
        let typed = (rejections[referral.id] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let why: String? = typed.isEmpty ? nil : typed
        if next == .rejected && why == nil {
            say(model.t("app.referral.rejection_missing"), danger: true)
            return
        }
        let given = next == .rejected ? why : nil
        let done = act(onInvalid: model.t("app.referral.status_invalid"), {
            try $0.setReferralStatus(referralId: referral.id, status: next, reason: given)
        })
        if done != nil {
            rejections[referral.id] = nil
            say(model.t("app.case.status_changed", ["status": ReferralWords.status(next, model)]))
        }
    }
}
