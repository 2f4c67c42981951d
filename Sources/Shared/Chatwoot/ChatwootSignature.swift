/// Chatwoot's webhook signature (2026+): `X-Chatwoot-Signature: sha256=<hex>` where hex is
/// HMAC-SHA256(secret, "<X-Chatwoot-Timestamp>.<raw body>"). Checked over the raw bytes (Rails'
/// JSON cannot be re-serialized byte for byte), with a freshness window against replays and a
/// constant-time comparison.
package struct ChatwootSignature: Sendable {
    package enum Failure: String, Error, Sendable {
        case missingHeaders = "missing X-Chatwoot-Signature or X-Chatwoot-Timestamp"
        case malformed = "malformed signature or timestamp"
        case stale = "timestamp outside the allowed window"
        case mismatch = "signature does not match"
    }

    private let key: HMACKey
    /// Seconds a timestamp may be off from now, either way.
    package let toleranceSeconds: Int

    package init(secret: String, toleranceSeconds: Int = 300) {
        self.key = HMACKey(secret.utf8)
        self.toleranceSeconds = toleranceSeconds
    }

    /// The header value for `body` sent at `timestamp` (what Chatwoot computes).
    package func sign(body: [UInt8], timestamp: String) -> String {
        "sha256=" + Digest.hex(key.authenticate((timestamp + ".").utf8, body))
    }

    package func verify(body: [UInt8], signature: String?, timestamp: String?, now: Int) throws(Failure) {
        guard let signature, let timestamp else { throw .missingHeaders }
        guard let seconds = Int(timestamp), timestamp.utf8.count <= 12, signature.hasPrefix("sha256="),
            signature.utf8.count == 71
        else { throw .malformed }
        guard abs(now - seconds) <= toleranceSeconds else { throw .stale }
        let expected = Array(sign(body: body, timestamp: timestamp).utf8)
        guard Digest.constantTimeEquals(expected, Array(signature.lowercased().utf8)) else { throw .mismatch }
    }
}
