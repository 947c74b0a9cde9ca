import Relais
import SwiftUI

/// The session of one form, kept across re-renders: the core's `Interview`, the `Screen` it last
/// returned, and what is being typed or ticked on the current question. Nothing here leaves
/// memory except through the vault (the form in progress, before a lock).
final class FormSession: ObservableObject {
    @Published private(set) var screen: Screen?
    /// A message of the app's own (the core's refusals come in `Screen.errors`).
    @Published var notice: String?
    /// What is typed in the field of a number, date or text question.
    @Published var typed = ""
    /// The boxes ticked on an "all that apply" question.
    @Published var ticked: Set<String> = []
    /// Grows with every screen shown, so that each new screen starts at its top.
    @Published private(set) var step = 0

    private(set) var interview: Interview?
    /// The session was started (or could not be: the form is unavailable).
    private(set) var started = false
    /// The answers were put in the vault's care as the form in progress.
    var draftSaved = false
    /// Finished or quit: nothing more to keep.
    var done = false

    /// How many questions have an answer.
    var answered: UInt32 { screen?.progress.answered ?? 0 }

    func start(_ session: Interview?) {
        started = true
        interview = session
        if let session { show(session.screen()) }
    }

    /// The screen the core returned; the field and the boxes start from its current answer.
    func show(_ next: Screen) {
        screen = next
        typed = next.question?.currentText ?? ""
        ticked = Set((next.question?.options ?? []).filter { $0.selected }.map { $0.id })
        step += 1
    }

    /// The form in progress goes into the vault (before a lock), once something was answered.
    func keepDraft(in vault: Vault?, caseCode: String?) {
        guard let interview, let vault, !vault.isLocked(), !done else { return }
        if answered == 0 && !draftSaved { return }
        do {
            try vault.savePendingDraft(interview: interview, caseCode: caseCode)
            draftSaved = true
        } catch {
            // The vault is locking: nothing more can be kept.
        }
    }
}

/// One form being filled in with the person — quick check, full interview, needs, risk or consent.
/// One question at a time, as the core words it: large buttons for yes/no and choices, check boxes
/// for "all that apply", a field for numbers, dates and short texts, "don't know" and "prefers not
/// to say" always offered, refusals in red with the question kept. The person's language can be
/// switched at any moment (answers are kept). The review lists what is still missing; finishing
/// saves the form into its case (a new one for a first screening) and shows the result.
///
/// `resume`: continue the form kept in the vault. The question and review pages are in
/// FormQuestionView.swift.
struct FormView: View {
    @EnvironmentObject var model: AppModel
    @StateObject var session = FormSession()
    @State private var confirmingQuit = false
    @State private var listener: UUID?

    let formId: String
    let caseCode: String?
    let resume: Bool

    init(formId: String, caseCode: String?, resume: Bool) {
        self.formId = formId
        self.caseCode = caseCode
        self.resume = resume
    }

    var body: some View {
        ZStack {
            if let screen = session.screen {
                if screen.kind == .question, let question = screen.question {
                    questionPage(screen, question)
                } else {
                    reviewPage(screen)
                }
            } else if session.started {
                unavailablePage
            } else {
                Palette.surface.ignoresSafeArea()
            }
        }
        .onAppear(perform: appear)
        .onDisappear(perform: disappear)
        .confirmation(
            model.t("app.form.quit_confirm"), isPresented: $confirmingQuit,
            yes: model.t("app.form.quit"), no: model.t("app.cancel"), action: quit
        )
    }

    private var unavailablePage: some View {
        Page(title: model.t("app.result.title")) {
            Banner(text: model.t("app.form.unavailable"))
            BigButton(model.t("app.result.home"), role: .primary) { model.back() }
        }
    }

    // MARK: - Starting

    private func appear() {
        if listener == nil {
            let kept = session
            let app = model
            let code = caseCode
            listener = model.addLockListener { [weak kept, weak app] in
                kept?.keepDraft(in: app?.vault, caseCode: code)
            }
        }
        if !session.started { start() }
    }

    private func disappear() {
        if let listener {
            model.removeLockListener(listener)
            self.listener = nil
        }
    }

    /// The session: taken up from the vault, or new in the worker's language (if the form has it).
    private func start() {
        guard let vault = try? model.requireVault() else { return }
        session.start(resumed(vault) ?? fresh())
    }

    private func resumed(_ vault: Vault) -> Interview? {
        guard resume, let pending = try? vault.pendingDraft(), pending.formId == formId else { return nil }
        guard let interview = try? Interview.resume(draftJson: pending.draftJson) else { return nil }
        session.draftSaved = true
        return interview
    }

    private func fresh() -> Interview? {
        let offered = offeredLanguages()
        let language = offered.isEmpty || offered.contains(model.language) ? model.language : offered[0]
        // A form started in a case takes what the case says of the person (a child, their age).
        if let code = caseCode, let vault = try? model.requireVault() {
            return try? vault.startForm(code: code, formId: formId, language: language)
        }
        return try? Interview(formId: formId, language: language, age: nil)
    }

    /// The languages this form is written in.
    func offeredLanguages() -> [Language] {
        forms(language: model.language).first(where: { $0.id == formId })?.languages ?? []
    }

    // MARK: - Actions

    /// One user action: one call to the core, which returns the whole next screen.
    func act(_ step: (Interview) throws -> Screen) {
        guard let interview = session.interview else { return }
        session.notice = nil
        do {
            session.show(try step(interview))
        } catch {
            session.notice = model.t("app.error.unexpected")
        }
    }

    /// Finish: the result, saved into the case (a new one if none), then the result screen.
    func complete() {
        guard let interview = session.interview else { return }
        let result: FormResultView
        do {
            result = try interview.finish()
        } catch InterviewError.Incomplete {
            incomplete(interview)
            return
        } catch {
            session.notice = model.t("app.error.unexpected")
            return
        }
        let code: String
        do {
            code = try save(interview)
        } catch VaultError.Locked {
            model.lock()
            return
        } catch VaultError.Invalid {
            incomplete(interview)
            return
        } catch {
            session.notice = model.t("app.form.save_failed")
            return
        }
        session.done = true
        model.currentCase = code
        model.lastResult = result
        model.replace(with: .result(caseCode: code))
    }

    private func incomplete(_ interview: Interview) {
        session.notice = model.t("app.form.incomplete")
        session.show(interview.review())
    }

    /// Saves into the case given, or a new case (removed again if the saving fails).
    private func save(_ interview: Interview) throws -> String {
        let vault = try model.requireVault()
        let code = try caseCode ?? vault.createCase()
        do {
            _ = try vault.saveResult(code: code, interview: interview)
        } catch {
            if caseCode == nil { try? vault.deleteCase(code: code) }
            throw error
        }
        if session.draftSaved { try? vault.discardPendingDraft() }
        return code
    }

    // MARK: - Leaving

    /// Quit: with answers given (or a form kept), only after confirming they will be lost.
    func leave() {
        if session.answered == 0 && !session.draftSaved {
            model.back()
        } else {
            confirmingQuit = true
        }
    }

    private func quit() {
        session.done = true
        if session.draftSaved { try? model.requireVault().discardPendingDraft() }
        model.back()
    }
}
