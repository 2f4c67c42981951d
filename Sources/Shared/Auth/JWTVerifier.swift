/// Verifies Supabase JWTs locally: HS256 with the project secret, ES256/RS256 against a JWKS.
///
/// The algorithm comes from an allow-list keyed by what is configured, never from the token
/// alone: `none` is refused, an HS256 token is refused when no secret is configured, and an
/// asymmetric token must name a `kid` present in the JWKS (no algorithm confusion).
package struct JWTVerifier: Sendable {
    /// Why a token was refused; `description` is safe to log (no token text).
    package enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed
        case unsupportedAlgorithm(String)
        case unknownKey
        case badSignature
        case expired
        case notYetValid
        case wrongAudience
        case wrongIssuer
        case unknownRole

        package var description: String {
            switch self {
            case .malformed: "malformed token"
            case .unsupportedAlgorithm(let alg): "unsupported algorithm \(alg)"
            case .unknownKey: "unknown key id"
            case .badSignature: "bad signature"
            case .expired: "expired"
            case .notYetValid: "not yet valid"
            case .wrongAudience: "wrong audience"
            case .wrongIssuer: "wrong issuer"
            case .unknownRole: "unknown role"
            }
        }
    }

    /// The HS256 secret (`SUPABASE_JWT_SECRET`), if any.
    let hmacSecret: HMACKey?
    let keySet: JSONWebKeySet
    /// Keys fetched from a JWKS URL, consulted for a `kid` the static set lacks.
    let remoteKeys: RemoteJSONWebKeySet?
    /// Accepted `aud` values for user tokens; empty accepts any.
    let audiences: Set<String>
    /// Required `iss`, when set.
    let issuer: String?
    /// Seconds of clock skew tolerated on `exp`, `nbf` and `iat`.
    let leeway: Int

    package init(
        hmacSecret: String?, keySet: JSONWebKeySet = JSONWebKeySet(keys: [:]), remoteKeys: RemoteJSONWebKeySet? = nil,
        audiences: Set<String> = ["authenticated"], issuer: String? = nil, leeway: Int = 30
    ) {
        self.hmacSecret = hmacSecret.map { HMACKey($0.utf8) }
        self.keySet = keySet
        self.remoteKeys = remoteKeys
        self.audiences = audiences
        self.issuer = issuer
        self.leeway = min(max(leeway, 0), 86_400)
    }

    /// Verifies `token` at time `now` (Unix seconds) and says who is calling.
    package func verify(_ token: String, now: Int) throws(Failure) -> Caller {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerBytes = Base64URL.decode(parts[0]),
            let payloadBytes = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2]),
            case .object(let header)? = try? JSONParser.parse(headerBytes),
            case .object(let claims)? = try? JSONParser.parse(payloadBytes),
            let algorithm = header["alg"]?.stringValue
        else { throw .malformed }
        let signedPart = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        try verifySignature(algorithm: algorithm, kid: header["kid"]?.stringValue, signature: signature, message: signedPart, now: now)
        try verifyTimes(claims, now: now)
        return try caller(from: claims)
    }

    /// The `exp` claim of a token already verified, for caching it no longer than it is valid.
    static func expiry(of token: String) -> Int? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]), let claims = try? JSONParser.parse(payload) else {
            return nil
        }
        return claims["exp"]?.intValue
    }

    private func verifySignature(algorithm: String, kid: String?, signature: [UInt8], message: [UInt8], now: Int) throws(Failure) {
        switch algorithm {
        case "HS256":
            guard let hmacSecret else { throw .unsupportedAlgorithm(algorithm) }
            let expected = hmacSecret.authenticate(message)
            guard Digest.constantTimeEquals(expected, signature) else { throw .badSignature }
        case "ES256", "RS256":
            guard let kid, let key = keySet.keys[kid] ?? remoteKeys?.key(for: kid, now: now) else { throw .unknownKey }
            guard key.algorithm == algorithm else { throw .unsupportedAlgorithm(algorithm) }
            let valid =
                algorithm == "ES256"
                ? key.publicKey.verifyES256(signature: signature, message: message)
                : key.publicKey.verifyRS256(signature: signature, message: message)
            guard valid else { throw .badSignature }
        default:
            throw .unsupportedAlgorithm(algorithm)
        }
    }

    private func verifyTimes(_ claims: JSONObject, now: Int) throws(Failure) {
        // Supabase keys and tokens always carry exp; a token without one is refused.
        guard let exp = claims["exp"]?.intValue else { throw .malformed }
        // Claims are the sender's numbers: compare them against `now ± leeway` (small, ours), never
        // compute with them, so no value can overflow (`exp + leeway` trapped on exp near Int.max).
        if exp < now - leeway { throw .expired }
        if let nbf = claims["nbf"]?.intValue, nbf > now + leeway { throw .notYetValid }
        if let iat = claims["iat"]?.intValue, iat > now + leeway { throw .notYetValid }
    }

    private func caller(from claims: JSONObject) throws(Failure) -> Caller {
        if let issuer, claims["iss"]?.stringValue != issuer,
            claims["role"]?.stringValue == "authenticated"
        {
            throw .wrongIssuer
        }
        switch claims["role"]?.stringValue {
        case "service_role":
            return .serviceRole
        case "anon":
            return .anonymous
        case "authenticated":
            if !audiences.isEmpty {
                let tokenAudiences: [String] =
                    switch claims["aud"] {
                    case .string(let value)?: [value]
                    case .array(let values)?: values.compactMap(\.stringValue)
                    default: []
                    }
                guard tokenAudiences.contains(where: audiences.contains) else { throw .wrongAudience }
            }
            guard let subject = claims["sub"]?.stringValue.flatMap({ UserID($0.lowercased()) }) else { throw .malformed }
            return .user(id: subject)
        default:
            throw .unknownRole
        }
    }
}
