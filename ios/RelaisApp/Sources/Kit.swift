import Relais
import SwiftUI

/// The colours of every screen: high contrast for sun and cheap screens.
enum Palette {
    static let ink = Color(red: 0.10, green: 0.10, blue: 0.12)
    static let muted = Color(red: 0.35, green: 0.35, blue: 0.40)
    static let surface = Color(red: 0.98, green: 0.98, blue: 0.97)
    static let primary = Color(red: 0.05, green: 0.33, blue: 0.55)
    static let danger = Color(red: 0.70, green: 0.10, blue: 0.10)
    static let warning = Color(red: 0.99, green: 0.85, blue: 0.35)
    static let info = Color(red: 0.88, green: 0.93, blue: 0.98)
}

/// One screen: a scrolling column that starts where the language reads from.
struct Page<Content: View>: View {
    let title: String
    @ViewBuilder let content: () -> Content

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 12) {
                Text(title)
                    .font(.title.bold())
                    .foregroundColor(Palette.ink)
                    .frame(maxWidth: .infinity, alignment: .leading)
                    .accessibilityAddTraits(.isHeader)
                content()
            }
            .padding(16)
        }
        .background(Palette.surface.ignoresSafeArea())
    }
}

struct Heading: View {
    let text: String
    init(_ text: String) { self.text = text }
    var body: some View {
        Text(text).font(.title3.bold()).foregroundColor(Palette.ink).padding(.top, 8)
            .frame(maxWidth: .infinity, alignment: .leading)
            .accessibilityAddTraits(.isHeader)
    }
}

struct BodyText: View {
    let text: String
    init(_ text: String) { self.text = text }
    var body: some View {
        Text(text).font(.body).foregroundColor(Palette.ink).frame(maxWidth: .infinity, alignment: .leading)
    }
}

struct Muted: View {
    let text: String
    init(_ text: String) { self.text = text }
    var body: some View {
        Text(text).font(.callout).foregroundColor(Palette.muted).frame(maxWidth: .infinity, alignment: .leading)
    }
}

enum BannerStyle { case danger, info, warning }

/// A message that must be seen: red for what went wrong or is urgent, blue for news, yellow for
/// a caution (demo data).
struct Banner: View {
    let text: String
    var style: BannerStyle = .danger

    var body: some View {
        Text(text)
            .font(.body.weight(.semibold))
            .foregroundColor(style == .danger ? .white : Palette.ink)
            .padding(12)
            .frame(maxWidth: .infinity, alignment: .leading)
            .background(background)
            .cornerRadius(8)
    }

    private var background: Color {
        switch style {
        case .danger: return Palette.danger
        case .info: return Palette.info
        case .warning: return Palette.warning
        }
    }
}

/// How a button looks: the main action, an ordinary one, or one that destroys (named so as not to
/// shadow SwiftUI's `ButtonRole`).
enum ButtonKind { case primary, normal, danger }

/// A large button (at least 52 points high: gloves, sun, cheap touch screens).
struct BigButton: View {
    let label: String
    var role: ButtonKind = .normal
    let action: () -> Void

    init(_ label: String, role: ButtonKind = .normal, action: @escaping () -> Void) {
        self.label = label
        self.role = role
        self.action = action
    }

    var body: some View {
        Button(action: action) {
            Text(label)
                .font(.body.weight(role == .normal ? .regular : .semibold))
                .multilineTextAlignment(.leading)
                .frame(maxWidth: .infinity, minHeight: 52, alignment: .leading)
                .padding(.horizontal, 14)
                .foregroundColor(role == .normal ? Palette.ink : .white)
                .background(fill)
                .cornerRadius(8)
                .overlay(RoundedRectangle(cornerRadius: 8).stroke(Palette.muted.opacity(role == .normal ? 0.4 : 0)))
        }
        .buttonStyle(.plain)
    }

    private var fill: Color {
        switch role {
        case .primary: return Palette.primary
        case .danger: return Palette.danger
        case .normal: return Color.white
        }
    }
}

enum FieldKind { case text, note, number, date, passphrase }

/// A text field that does not teach the keyboard what is typed about a person: no autocorrection,
/// no suggestions, no capitalisation guesses; passphrases hidden.
struct InputField: View {
    let hint: String
    @Binding var text: String
    var kind: FieldKind = .text

    var body: some View {
        Group {
            if kind == .passphrase {
                SecureField(hint, text: $text)
                    .textContentType(.password)
            } else {
                TextField(hint, text: $text)
                    .keyboardType(keyboard)
            }
        }
        .disableAutocorrection(true)
        .textInputAutocapitalization(.never)
        .font(.body)
        .padding(12)
        .frame(minHeight: 52)
        .background(Color.white)
        .cornerRadius(8)
        .overlay(RoundedRectangle(cornerRadius: 8).stroke(Palette.muted.opacity(0.5)))
    }

    /// Numbers get the decimal pad; dates (YYYY, YYYY-MM or YYYY-MM-DD) digits and the hyphen.
    private var keyboard: UIKeyboardType {
        switch kind {
        case .number: return .decimalPad
        case .date: return .numbersAndPunctuation
        default: return .default
        }
    }
}

/// A check box line (for "all that apply" and agreements).
struct CheckLine: View {
    let label: String
    @Binding var checked: Bool

    var body: some View {
        Button { checked.toggle() } label: {
            HStack(alignment: .top, spacing: 12) {
                Image(systemName: checked ? "checkmark.square.fill" : "square")
                    .font(.title2)
                    .foregroundColor(checked ? Palette.primary : Palette.muted)
                Text(label).foregroundColor(Palette.ink).frame(maxWidth: .infinity, alignment: .leading)
            }
            .frame(minHeight: 52)
        }
        .buttonStyle(.plain)
        .accessibilityAddTraits(checked ? .isSelected : [])
    }
}

extension View {
    /// A confirmation before something that cannot be undone; [action] runs on "yes".
    func confirmation(_ message: String, isPresented: Binding<Bool>, yes: String, no: String, action: @escaping () -> Void) -> some View {
        alert(message, isPresented: isPresented) {
            Button(yes, role: .destructive, action: action)
            Button(no, role: .cancel) {}
        }
    }
}
