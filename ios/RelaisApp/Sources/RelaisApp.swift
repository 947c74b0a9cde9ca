import Combine
import Relais
import SwiftUI

/// The app: one window whose screen follows `AppModel.route`. The app's content is covered as
/// soon as it stops being active (the app switcher's snapshot shows the cover, not a case), and
/// the vault locks when the app goes to the background or after the timeout without a touch.
@main
struct RelaisApp: App {
    @StateObject private var model = AppModel()
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            RootView()
                .environmentObject(model)
                .onChange(of: scenePhase) { phase in
                    switch phase {
                    case .background: model.lock()
                    case .active: model.checkTimeout()
                    default: break
                    }
                }
        }
    }
}

struct RootView: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.scenePhase) private var scenePhase
    private let ticker = Timer.publish(every: 10, on: .main, in: .common).autoconnect()

    var body: some View {
        ZStack {
            screen
                // A new route is a new screen: no state carried over from the one before.
                .id(model.route)
                .environment(\.layoutDirection, model.layoutDirection)
                .simultaneousGesture(TapGesture().onEnded { model.touch() })
            if scenePhase != .active {
                PrivacyCover()
            }
        }
        .onReceive(ticker) { _ in model.checkTimeout() }
    }

    @ViewBuilder private var screen: some View {
        switch model.route {
        case .unlock: UnlockView()
        case .home: HomeView()
        case let .form(formId, caseCode, resume): FormView(formId: formId, caseCode: caseCode, resume: resume)
        case let .result(caseCode): ResultView(caseCode: caseCode)
        case .cases: CaseListView()
        case let .caseDetail(code): CaseDetailView(code: code)
        case let .referral(code): ReferralView(code: code)
        case let .handoverSend(code): HandoverSendView(code: code)
        case .handoverReceive: HandoverReceiveView()
        case .directory: DirectoryView()
        case .settings: SettingsView()
        }
    }
}

/// What the app switcher and anyone glancing at an inactive phone see: the name, nothing else.
struct PrivacyCover: View {
    var body: some View {
        ZStack {
            Palette.surface.ignoresSafeArea()
            Text("Relais").font(.largeTitle.bold()).foregroundColor(Palette.ink)
        }
        .accessibilityHidden(true)
    }
}
