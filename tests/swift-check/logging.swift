import Relais

struct Fixture {
    func save(vault: Vault) throws {
        let code = try vault.createCase()
        print("created", code)
    }
}
