import Relais
import SwiftUI

// A text key the core's catalogue does not have: the screen would show "app.handover.sent_ok".
struct Fixture: View {
    var body: some View {
        Text(uiText(language: .fr, key: "app.handover.sent_ok"))
    }
}
