import Relais

struct Fixture {
    func save(vault: Vault) throws {
        _ = try vault.createCase()
        try vault.archiveCase(code: "K-1")
    }
}
