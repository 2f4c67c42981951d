internal import COpenSSL

/// An HMAC-SHA256 key set up once. OpenSSL 3's one-shot `HMAC()` looks up the MAC and digest
/// implementations and prepares the key again on every call, which costs about as much as
/// hashing a webhook body; this keeps one prepared `EVP_MAC_CTX` (owned here, freed in `deinit`)
/// and works on a copy of it per message, so one key serves every thread.
package final class HMACKey: @unchecked Sendable {
    /// Read-only after `init`: copies are made from it, it is never updated itself.
    private let prepared: OpaquePointer?
    /// For the one-shot path, when OpenSSL could not prepare a context.
    private let key: [UInt8]

    package init(_ key: some Collection<UInt8>) {
        self.key = Array(key)
        prepared = Self.prepare(self.key)
    }

    deinit {
        EVP_MAC_CTX_free(prepared)
    }

    /// HMAC-SHA256 of `first` followed by `second`, as one message (no concatenated copy).
    package func authenticate(_ first: some Collection<UInt8>, _ second: some Collection<UInt8>) -> [UInt8] {
        guard let context = EVP_MAC_CTX_dup(prepared) else {
            return Digest.hmacSHA256(key: key, message: Array(first) + Array(second))
        }
        defer { EVP_MAC_CTX_free(context) }
        Self.update(context, first)
        Self.update(context, second)
        var output = [UInt8](repeating: 0, count: 32)
        var length = 0
        let finished = output.withUnsafeMutableBufferPointer { EVP_MAC_final(context, $0.baseAddress, &length, 32) }
        guard finished == 1, length == 32 else { return Digest.hmacSHA256(key: key, message: Array(first) + Array(second)) }
        return output
    }

    /// HMAC-SHA256 of `message`.
    package func authenticate(_ message: some Collection<UInt8>) -> [UInt8] {
        authenticate(message, EmptyCollection())
    }

    private static func update(_ context: OpaquePointer, _ part: some Collection<UInt8>) {
        if part.isEmpty { return }
        let done: Void? = part.withContiguousStorageIfAvailable { _ = EVP_MAC_update(context, $0.baseAddress, $0.count) }
        if done == nil { Array(part).withUnsafeBufferPointer { _ = EVP_MAC_update(context, $0.baseAddress, $0.count) } }
    }

    private static let parameterName: StaticString = "digest"
    private static let digestName: StaticString = "SHA256"

    private static func prepare(_ key: [UInt8]) -> OpaquePointer? {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { return nil }
        defer { EVP_MAC_free(mac) }
        guard let context = EVP_MAC_CTX_new(mac) else { return nil }
        // The parameters point at these static strings, which outlive the call.
        var parameters = [
            OSSL_PARAM_construct_utf8_string(
                UnsafeRawPointer(parameterName.utf8Start).assumingMemoryBound(to: CChar.self),
                UnsafeMutableRawPointer(mutating: digestName.utf8Start).assumingMemoryBound(to: CChar.self), 0),
            OSSL_PARAM_construct_end(),
        ]
        let initialized = key.withUnsafeBufferPointer { EVP_MAC_init(context, $0.baseAddress, $0.count, &parameters) }
        guard initialized == 1 else {
            EVP_MAC_CTX_free(context)
            return nil
        }
        return context
    }
}
