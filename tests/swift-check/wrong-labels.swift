import Relais

struct Fixture {
    func save(vault: Vault) throws {
        let code = try vault.createCase()
        _ = try vault.addNote(case: code, text: "note")
    }
}
