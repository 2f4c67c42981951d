/// Turns a request's `Authorization` / `apikey` headers into a `Caller`, answering failures
/// with the Supabase gateway's bodies (`{"code":401,"message":"Invalid JWT"}`).
package struct Authenticator: Sendable {
    let verifier: JWTVerifier
    let clock: @Sendable () -> Int
    /// Supabase's API keys (`sb_publishable_…` → anon, `sb_secret_…` → service role), as the
    /// gateway maps them: the key's bytes and the role it stands for.
    var apiKeys: [(key: [UInt8], caller: Caller)] = []
    /// Tokens verified recently: callers send the same service-role key or session token on
    /// every request, and a verified token's claims cannot change.
    private let cache = VerifiedTokenCache(capacity: 512)

    package init(verifier: JWTVerifier, clock: @escaping @Sendable () -> Int = { UnixTime.now() }) {
        self.verifier = verifier
        self.clock = clock
    }

    /// Reads `SUPABASE_JWT_SECRET` (secret; HS256), `SUPABASE_JWKS_FILE` (a JWKS JSON file for
    /// ES256/RS256), `SUPABASE_JWKS_URL` (a JWKS fetched and cached, e.g.
    /// `https://<ref>.supabase.co/auth/v1/.well-known/jwks.json`), `SUPABASE_JWT_ISSUER`
    /// (optional) and `SUPABASE_JWT_AUDIENCE` (default `authenticated`). At least one of the
    /// secret, the file or the URL is required.
    package init(environment: Environment) throws {
        var keySet = JSONWebKeySet(keys: [:])
        if let path = environment.get("SUPABASE_JWKS_FILE") {
            keySet = try JSONWebKeySet(json: try JSONParser.parse(try FileIO.read(path: path)))
        }
        let secret = environment.get("SUPABASE_JWT_SECRET")
        let remote = environment.get("SUPABASE_JWKS_URL").map { RemoteJSONWebKeySet(url: $0) }
        if secret == nil && keySet.keys.isEmpty && remote == nil {
            throw Environment.Error(variable: "SUPABASE_JWT_SECRET", reason: "is not set (nor SUPABASE_JWKS_FILE or SUPABASE_JWKS_URL)")
        }
        let audiences = Set(
            environment.get("SUPABASE_JWT_AUDIENCE", default: "authenticated").split(separator: ",").map(String.init))
        self.init(
            verifier: JWTVerifier(
                hmacSecret: secret, keySet: keySet, remoteKeys: remote, audiences: audiences,
                issuer: environment.get("SUPABASE_JWT_ISSUER")))
        let publishable = Self.keys(environment.get("SUPABASE_PUBLISHABLE_KEYS"))
        let secrets = Self.keys(environment.get("SUPABASE_SECRET_KEYS"))
        apiKeys = publishable.map { ($0, Caller.anonymous) } + secrets.map { ($0, Caller.serviceRole) }
    }

    /// A comma-separated list of keys, each as bytes.
    private static func keys(_ list: String?) -> [[UInt8]] {
        (list ?? "").split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// The role of a Supabase API key (`sb_…`), compared in constant time with every configured
    /// key; 401 `Invalid API key` for any other.
    private func caller(forAPIKey key: String) throws(ServiceError) -> Caller {
        let given = Array(key.utf8)
        var found: Caller?
        for candidate in apiKeys where Digest.constantTimeEquals(candidate.key, given) { found = candidate.caller }
        guard let found else {
            throw ServiceError(.unauthorized, "Invalid API key", body: .object(["code": .integer(401), "message": .string("Invalid API key")]))
        }
        return found
    }

    static func isAPIKey(_ token: String) -> Bool {
        token.hasPrefix("sb_publishable_") || token.hasPrefix("sb_secret_")
    }

    /// Accepts no token at all: for tools that serve no requests.
    package static let refusingAll = Authenticator(verifier: JWTVerifier(hmacSecret: nil, audiences: []))

    /// The verified caller; throws a 401 `ServiceError` with the gateway's body.
    package func authenticate(_ request: Request) throws(ServiceError) -> Caller {
        var token: String?
        let header = request.header("authorization")
        if let header, let caller = cache.caller(forHeader: header, now: clock()) { return caller }
        if let authorization = header {
            guard let credentials = Self.bearerCredentials(authorization) else { throw Self.invalid }
            token = credentials
        } else if let apikey = request.header("apikey"), apikey.split(separator: ".").count == 3 || Self.isAPIKey(apikey) {
            // supabase-js sends its key in `apikey` and no Authorization without a session: a
            // legacy JWT key, or one of the new `sb_` keys.
            token = apikey
        }
        guard let token, !token.isEmpty else { throw Self.missing }
        if Self.isAPIKey(token) { return try caller(forAPIKey: token) }
        let now = clock()
        if let caller = cache.caller(for: token, now: now) {
            if let header { cache.rememberHeader(header, of: token) }
            return caller
        }
        do {
            let caller = try verifier.verify(token, now: now)
            cache.store(token, caller: caller, expiresAt: JWTVerifier.expiry(of: token) ?? now)
            if let header { cache.rememberHeader(header, of: token) }
            return caller
        } catch {
            throw ServiceError(
                .unauthorized, "Invalid JWT", body: .object(["code": .integer(401), "message": .string("Invalid JWT")]),
                underlying: error)
        }
    }

    /// The token of `Bearer <token>` (scheme in any case), or nil for another scheme.
    static func bearerCredentials(_ authorization: String) -> String? {
        let scheme = "bearer "
        let utf8 = authorization.utf8
        guard utf8.count > scheme.utf8.count,
            zip(utf8, scheme.utf8).allSatisfy({ $1 == 0x20 ? $0 == 0x20 : $0 | 0x20 == $1 })
        else { return nil }
        return authorization.dropFirst(scheme.utf8.count).trimmingSpaces()
    }

    /// A verified caller that is not anonymous: anon gets 401 on anything touching user data.
    package func authenticateUserData(_ request: Request) throws(ServiceError) -> Caller {
        let caller = try authenticate(request)
        if caller == .anonymous {
            throw ServiceError(
                .unauthorized, "This action needs a user or service-role token",
                body: .object([
                    "code": .integer(401), "message": .string("This action needs a user or service-role token"),
                ]))
        }
        return caller
    }

    static let missing = ServiceError(
        .unauthorized, "Missing authorization header",
        body: .object(["code": .integer(401), "message": .string("Missing authorization header")]))
    static let invalid = ServiceError(
        .unauthorized, "Invalid JWT", body: .object(["code": .integer(401), "message": .string("Invalid JWT")]))
}
