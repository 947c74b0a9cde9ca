import CryptoKit
import Foundation
import Relais
import Security

/// The vault's platform secret, held by this device only.
///
/// With a Secure Enclave (every iPhone since the 5s): a P-256 key created inside the enclave,
/// which never leaves it; the secret is HKDF-SHA256 of the key's agreement with its own public key,
/// so it can only be computed on this device, by this app. The enclave key's opaque handle is kept
/// in the Keychain. Without one (the simulator): 32 random bytes in the Keychain. Either item is
/// `kSecAttrAccessibleWhenUnlockedThisDeviceOnly`, not synchronised to iCloud and not in backups.
/// Deleting the app deletes the item, and with it any copy of the vault.
final class KeychainKeyProvider: KeyProvider, @unchecked Sendable {
    private let service = "org.relais.vault"
    private let account: String

    init(account: String = "platform-secret") {
        self.account = account
    }

    func platformSecret() throws -> Data {
        do {
            if SecureEnclave.isAvailable {
                return try enclaveSecret()
            }
            return try storedSecret()
        } catch let error as KeyProviderError {
            throw error
        } catch {
            // The reason names the failing step, never a key or a secret.
            throw KeyProviderError.Unavailable(reason: "keychain: \(type(of: error))")
        }
    }

    private func enclaveSecret() throws -> Data {
        let key: SecureEnclave.P256.KeyAgreement.PrivateKey
        if let handle = try read() {
            key = try SecureEnclave.P256.KeyAgreement.PrivateKey(dataRepresentation: handle)
        } else {
            key = try SecureEnclave.P256.KeyAgreement.PrivateKey()
            try store(key.dataRepresentation)
        }
        let shared = try key.sharedSecretFromKeyAgreement(with: key.publicKey)
        let derived = shared.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: Data("relais".utf8),
            sharedInfo: Data("relais.platform-secret.v1".utf8), outputByteCount: 32
        )
        return derived.withUnsafeBytes { Data($0) }
    }

    private func storedSecret() throws -> Data {
        if let secret = try read() { return secret }
        var bytes = Data(count: 32)
        let status = bytes.withUnsafeMutableBytes { SecRandomCopyBytes(kSecRandomDefault, 32, $0.baseAddress!) }
        guard status == errSecSuccess else { throw KeyProviderError.Unavailable(reason: "no random bytes") }
        try store(bytes)
        return bytes
    }

    private var query: [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
            kSecAttrSynchronizable as String: kCFBooleanFalse as Any,
        ]
    }

    private func read() throws -> Data? {
        var q = query
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = item as? Data else {
            throw KeyProviderError.Unavailable(reason: "keychain read failed (\(status))")
        }
        return data
    }

    private func store(_ data: Data) throws {
        var q = query
        q[kSecValueData as String] = data
        q[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        let status = SecItemAdd(q as CFDictionary, nil)
        guard status == errSecSuccess else {
            throw KeyProviderError.Unavailable(reason: "keychain write failed (\(status))")
        }
    }

    /// Removes the item (the panic wipe): the vault can no longer be opened on this device.
    func forget() {
        SecItemDelete(query as CFDictionary)
    }
}
