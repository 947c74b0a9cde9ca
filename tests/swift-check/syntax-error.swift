import Relais

struct Fixture {
    func save(vault: Vault) throws -> String {
        let code = try vault.createCase(
        return code
    }
}
