/// Short-lived download links for the filesystem backend (GCS has V4 signed URLs): the owner,
/// the file and the expiry, HMAC-SHA256-signed with a server secret. Changing any part, or
/// waiting past the expiry, makes the link worthless.
package struct PreviewLink: Sendable {
    private let key: HMACKey

    package init(secret: [UInt8]) {
        self.key = HMACKey(Digest.hmacSHA256(key: secret, message: Array("userbuckets knowledge-base preview links v1".utf8)))
    }

    /// `KB_LINK_SECRET`, else derived from `SUPABASE_JWT_SECRET`; nil when neither is set.
    package init?(environment: Environment) {
        guard let secret = environment.get("KB_LINK_SECRET") ?? environment.get("SUPABASE_JWT_SECRET") else { return nil }
        self.init(secret: Array(secret.utf8))
    }

    /// `<userId>.<fileId>.<expiry>.<signature>`.
    package func token(userID: String, fileID: String, expires: Int) -> String {
        let claim = "\(userID).\(fileID).\(expires)"
        return claim + "." + Base64URL.encode(key.authenticate(claim.utf8))
    }

    /// The owner and file of a valid, unexpired token.
    package func verify(_ token: String, now: Int) -> (userID: String, fileID: String)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let expires = Int(parts[2]), expires >= now, let given = Base64URL.decode(parts[3]),
            Base64URL.encode(given) == parts[3]  // one spelling per link: no padding, no stray bits
        else { return nil }
        let claim = "\(parts[0]).\(parts[1]).\(parts[2])"
        guard Digest.constantTimeEquals(key.authenticate(claim.utf8), given) else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}
