/// How bucket names are made (SPEC section 4): the original schemes, so existing buckets are
/// found, and opaque fallbacks where those collide or break the naming rules.
package struct BucketNaming: Sendable {
    /// `GCS_BUCKET_PREFIX`, e.g. `pacelane-whatsapp`.
    package let prefix: String

    /// - Throws: when the prefix cannot start a valid bucket name.
    package init(prefix: String) throws(Environment.Error) {
        guard !prefix.isEmpty, prefix.utf8.count <= 40, BucketName.isValid(prefix + "-x") else {
            throw Environment.Error(
                variable: "GCS_BUCKET_PREFIX", reason: "must be 1–40 lowercase letters, digits or '-', starting with a letter or digit")
        }
        self.prefix = prefix
    }

    /// Reads `GCS_BUCKET_PREFIX` (default `pacelane-whatsapp`).
    package init(environment: Environment) throws(Environment.Error) {
        try self.init(prefix: environment.get("GCS_BUCKET_PREFIX", default: "pacelane-whatsapp"))
    }

    /// `<prefix>-user-<base36 |javaHash(userId)|>`, the original's user bucket name.
    package func legacyUserBucket(_ userID: String) -> BucketName {
        validOrHashed("\(prefix)-user-\(Self.legacyHash(userID))", kind: "u", key: userID)
    }

    /// The collision-free name for a user whose legacy name is taken: derived from SHA-256 of
    /// the user id, so it is stable and opaque.
    package func fallbackUserBucket(_ userID: String) -> BucketName {
        let digest = Digest.hex(Digest.sha256(Array("userbuckets:user:\(userID.lowercased())".utf8)).prefix(12))
        return validOrHashed("\(prefix)-u-\(digest)", kind: "u", key: userID)
    }

    /// `<prefix>-contact-<contact id>` with every character outside `[a-z0-9-]` replaced by `-`
    /// before lowercasing, as the original did; hashed when that breaks the naming rules, and
    /// when the id holds a phone-like run of digits (a JID, `+55…`): a bucket name is visible
    /// across GCS, and no phone number may appear in one.
    package func contactBucket(_ contactID: String) -> BucketName {
        if Self.holdsPhoneLikeDigits(contactID) { return hashed(kind: "c", key: contactID) }
        let sanitized = String(
            contactID.unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "a"..."z", "0"..."9", "-": Character(scalar)
                default: "-"
                }
            })
        return validOrHashed("\(prefix)-contact-\(sanitized)", kind: "c", key: contactID)
    }

    /// Whether `name` is one of ours: the prefix and a `-`.
    package func owns(_ name: String) -> Bool {
        name.hasPrefix(prefix + "-")
    }

    private func validOrHashed(_ candidate: String, kind: String, key: String) -> BucketName {
        BucketName(candidate) ?? hashed(kind: kind, key: key)
    }

    private func hashed(kind: String, key: String) -> BucketName {
        let digest = Digest.hex(Digest.sha256(Array("userbuckets:\(kind):\(key)".utf8)).prefix(12))
        // The prefix was validated with room to spare: this is always a valid name.
        return BucketName("\(prefix)-\(kind)h-\(digest)")!
    }

    /// Whether `contactID` carries a run of 7 or more digits (whatever separates them, short of a
    /// letter), except in the opaque keys this product
    /// makes (`wa_<20 hex digits of a digest>`, `user_<uuid>`) and in Chatwoot's own `contact_<id>_account_<id>`
    /// with ids below a billion.
    package static func holdsPhoneLikeDigits(_ contactID: String) -> Bool {
        let bytes = Array(contactID.utf8)
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 0x61 && byte <= 0x66) }
        // `wa_` + 20 hex digits of a digest (IdentifyAndEnsureBucket): longer than any phone number.
        if bytes.count == 23, contactID.hasPrefix("wa_"), bytes.dropFirst(3).allSatisfy(isHex) { return false }
        if contactID.hasPrefix("user_"), UserID(String(contactID.dropFirst(5))) != nil { return false }
        let parts = contactID.split(separator: "_", omittingEmptySubsequences: false)
        if parts.count == 4, parts[0] == "contact", parts[2] == "account",
            [parts[1], parts[3]].allSatisfy({ (1...9).contains($0.utf8.count) && $0.utf8.allSatisfy(isDigit) })
        {
            return false
        }
        // Digits of any script count; only a letter ends a run (a number written with any
        // separators — spaces, dots, dashes, brackets, Unicode dashes — is still a number).
        var run = 0
        for scalar in contactID.unicodeScalars {
            if scalar.properties.numericType == .decimal {
                run += 1
                if run >= 7 { return true }
            } else if scalar.properties.isAlphabetic {
                run = 0
            }
        }
        return false
    }

    /// Java's `String.hashCode` over UTF-16 units, its absolute value in 64 bits, base 36.
    package static func legacyHash(_ text: String) -> String {
        var hash: Int32 = 0
        for unit in text.utf16 {
            hash = hash &* 31 &+ Int32(unit)
        }
        return String(abs(Int64(hash)), radix: 36)
    }
}
