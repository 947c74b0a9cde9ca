import Relais
import SwiftUI

/// The words the form pages build from the core's texts.
enum FormTexts {
    /// The mark in front of a chosen option or the current language (as in Settings).
    static let chosen = "✓ "

    /// An option's label, marked when it is the current answer.
    static func label(_ option: OptionView) -> String {
        option.selected ? chosen + option.label : option.label
    }

    /// "Question {position} sur {total}" from the core's label template.
    static func progress(_ template: String, position: UInt32, total: UInt32) -> String {
        template
            .replacingOccurrences(of: "{position}", with: String(position))
            .replacingOccurrences(of: "{total}", with: String(total))
    }
}

/// The two pages of a form: the question (as the core words it, with its answers, the special
/// options and the moves the screen allows) and the review (counts, the required questions still
/// missing, finishing when allowed). Every button is one call to the core.
extension FormView {
    // MARK: - The question

    func questionPage(_ screen: Screen, _ q: QuestionView) -> some View {
        Page(title: screen.formTitle) {
            header(screen)
            messages(screen)
            Heading(q.prompt)
            if q.required { Muted(screen.labels.required) }
            if let help = q.help { Muted(help) }
            answerArea(screen, q)
            ForEach(q.specialOptions, id: \.id) { option in
                BigButton(FormTexts.label(option)) { act { $0.choose(optionIds: [option.id]) } }
            }
            Divider()
            navigation(screen, q)
        }
        .id(session.step)
    }

    /// The row of languages, the section and where the person is in the form.
    @ViewBuilder private func header(_ screen: Screen) -> some View {
        languageRow(screen)
        if let section = screen.section {
            Heading(section.title)
            if section.startsHere, let intro = section.intro { Muted(intro) }
        }
        Muted(FormTexts.progress(screen.labels.progress, position: screen.progress.position, total: screen.progress.total))
        ProgressView(value: Double(min(screen.progress.percent, 100)), total: 100)
            .tint(Palette.primary)
    }

    /// The core's refusals, then the app's own message.
    @ViewBuilder private func messages(_ screen: Screen) -> some View {
        errors(screen)
        if let notice = session.notice { Banner(text: notice) }
    }

    private func errors(_ screen: Screen) -> some View {
        ForEach(Array(screen.errors.enumerated()), id: \.offset) { _, error in
            Banner(text: error)
        }
    }

    /// One button per language the form offers, each named in itself; the current one marked.
    /// Tapping another switches the form's language (answers are kept).
    @ViewBuilder private func languageRow(_ screen: Screen) -> some View {
        let offered = offeredLanguages()
        let named = languages().filter { offered.contains($0.language) }
        if named.count >= 2 {
            HStack(spacing: 6) {
                ForEach(named, id: \.language) { info in
                    let current = info.language == screen.language
                    BigButton(current ? FormTexts.chosen + info.name : info.name, role: current ? .primary : .normal) {
                        if !current { act { try $0.setLanguage(language: info.language) } }
                    }
                }
            }
        }
    }

    @ViewBuilder private func answerArea(_ screen: Screen, _ q: QuestionView) -> some View {
        switch q.answerType {
        case .yesNo, .single:
            ForEach(q.options, id: \.id) { option in
                BigButton(FormTexts.label(option), role: .primary) { act { $0.choose(optionIds: [option.id]) } }
            }
        case .multi:
            ForEach(q.options, id: \.id) { option in
                CheckLine(label: option.label, checked: tick(option.id))
            }
            BigButton(screen.labels.next, role: .primary) {
                let picked = q.options.filter { session.ticked.contains($0.id) }.map { $0.id }
                act { $0.choose(optionIds: picked) }
            }
        case .number, .date, .text:
            if let unit = q.number?.unit { Muted(unit) }
            InputField(hint: q.hint ?? "", text: $session.typed, kind: fieldKind(q.answerType))
            BigButton(screen.labels.next, role: .primary) {
                let typed = session.typed
                act { $0.answerText(text: typed) }
            }
        }
    }

    /// How a typed answer is entered: numbers get their keyboard.
    private func fieldKind(_ type: AnswerType) -> FieldKind {
        switch type {
        case .number: return .number
        case .date: return .date
        default: return .note
        }
    }

    /// Whether one box of an "all that apply" question is ticked.
    private func tick(_ id: String) -> Binding<Bool> {
        Binding(
            get: { session.ticked.contains(id) },
            set: { on in
                if on {
                    session.ticked.insert(id)
                } else {
                    session.ticked.remove(id)
                }
            }
        )
    }

    /// Next (choices already answered), skip, back, review, quit: what the screen allows.
    @ViewBuilder private func navigation(_ screen: Screen, _ q: QuestionView) -> some View {
        if (q.answerType == .yesNo || q.answerType == .single) && screen.canNext {
            BigButton(screen.labels.next) { act { $0.next() } }
        }
        if screen.canSkip { BigButton(screen.labels.skip) { act { $0.skip() } } }
        if screen.canBack { BigButton(screen.labels.back) { act { $0.back() } } }
        BigButton(screen.labels.review) { act { $0.review() } }
        BigButton(screen.labels.quit) { leave() }
    }

    // MARK: - The review

    func reviewPage(_ screen: Screen) -> some View {
        Page(title: screen.formTitle) {
            languageRow(screen)
            if let review = screen.review {
                Heading(review.title)
                if let notice = session.notice { Banner(text: notice) }
                errors(screen)
                BodyText(review.message)
                counts(review)
                if !review.unansweredRequired.isEmpty {
                    Heading(model.t("app.form.missing"))
                    ForEach(review.unansweredRequired, id: \.id) { missing in
                        BigButton(missing.prompt) { act { try $0.goTo(questionId: missing.id) } }
                    }
                }
            }
            Divider()
            if screen.canFinish { BigButton(screen.labels.finish, role: .primary) { complete() } }
            if screen.canBack { BigButton(screen.labels.back) { act { $0.back() } } }
            BigButton(screen.labels.quit) { leave() }
        }
        .id(session.step)
    }

    @ViewBuilder private func counts(_ review: ReviewView) -> some View {
        Muted(model.t("app.form.count.answered", ["count": String(review.answered)]))
        Muted(model.t("app.form.count.dont_know", ["count": String(review.dontKnow)]))
        Muted(model.t("app.form.count.prefer_not", ["count": String(review.preferNotToSay)]))
        Muted(model.t("app.form.count.unanswered", ["count": String(review.unanswered)]))
    }
}
