import Relais
import SwiftUI

struct Fixture: View {
    let vault: Vault
    var body: some View {
        Text(uiText(language: .fr, key: "app.name")).padding()
    }
    func save() throws -> String {
        // The grammar reads `defer { … }` as a call: the keyword must still pass.
        defer { vault.lock() }
        let code = try vault.createCase()
        _ = try vault.addNote(code: code, text: "note")
        return code
    }
}
