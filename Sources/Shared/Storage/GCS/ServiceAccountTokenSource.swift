/// OAuth2 access tokens for a service account (JWT bearer grant): an RS256-signed assertion
/// with `kid`, exchanged at the token endpoint, cached until five minutes before it expires.
///
/// One per serving thread (not thread-safe), like the HTTP client it uses.
package final class ServiceAccountTokenSource: AccessTokenSource {
    /// Enough to create buckets and write objects; not `cloud-platform`.
    package static let fullControlScope = "https://www.googleapis.com/auth/devstorage.full_control"

    private let credentials: GCSCredentials
    private let client: any HTTPClient
    private let scope: String
    private let retry: RetryPolicy
    private let clock: () -> Int
    private var cached: (token: String, refreshAt: Int)?

    package init(
        credentials: GCSCredentials, client: any HTTPClient, scope: String = fullControlScope, retry: RetryPolicy = RetryPolicy(),
        clock: @escaping () -> Int = { UnixTime.now() }
    ) {
        self.credentials = credentials
        self.client = client
        self.scope = scope
        self.retry = retry
        self.clock = clock
    }

    package func accessToken() throws(StorageError) -> String {
        let now = clock()
        if let cached, now < cached.refreshAt { return cached.token }
        let fetched = try fetch(now: now)
        cached = fetched
        return fetched.token
    }

    package func invalidate() {
        cached = nil
    }

    /// The signed JWT: header `{alg, typ, kid}`, claims `{iss, scope, aud, iat, exp}`.
    func assertion(now: Int) throws(StorageError) -> String {
        var header: KeyValuePairs<String, JSON?> = ["alg": .string("RS256"), "typ": .string("JWT")]
        if let kid = credentials.privateKeyID {
            header = ["alg": .string("RS256"), "typ": .string("JWT"), "kid": .string(kid)]
        }
        let claims = JSON.object([
            "iss": .string(credentials.clientEmail), "scope": .string(scope), "aud": .string(credentials.tokenURL),
            "iat": .integer(now), "exp": .integer(now + 3600),
        ])
        let signingInput = Base64URL.encode(JSON.object(header).serializedBytes()) + "." + Base64URL.encode(claims.serializedBytes())
        do {
            return signingInput + "." + Base64URL.encode(try credentials.privateKey.signRS256(Array(signingInput.utf8)))
        } catch {
            throw StorageError(.unauthorized, "signing the token request failed: \(error)")
        }
    }

    private func fetch(now: Int) throws(StorageError) -> (token: String, refreshAt: Int) {
        let body = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=" + (try assertion(now: now))
        let request = HTTPClientRequest(
            method: "POST", url: credentials.tokenURL,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")], body: Array(body.utf8))
        let outcome: RetryPolicy.Outcome
        do {
            outcome = try retry.send(request, with: client, idempotent: true)
        } catch {
            throw StorageError(.unavailable, "token endpoint unreachable: \(error.detail)")
        }
        let response = outcome.response
        let json = try? JSONParser.parse(response.body)
        guard response.status == 200 else {
            throw Self.explain(status: response.status, json: json)
        }
        guard let token = json?["access_token"]?.stringValue, !token.isEmpty else {
            throw StorageError(.unavailable, "token endpoint answered 200 without access_token")
        }
        let expiresIn = json?["expires_in"]?.intValue ?? 3600
        // Refresh five minutes early, or halfway for short-lived tokens.
        return (token, now + max(expiresIn - 300, expiresIn / 2))
    }

    /// Token errors in words an operator can act on.
    static func explain(status: Int, json: JSON?) -> StorageError {
        let error = json?["error"]?.stringValue ?? "HTTP \(status)"
        let description = json?["error_description"]?.stringValue ?? ""
        if error == "invalid_grant" {
            if description.contains("Invalid JWT Signature") {
                return StorageError(
                    .unauthorized,
                    "token refused (invalid_grant): the private key does not belong to the client email or key id — check GCS_PRIVATE_KEY/GCS_PRIVATE_KEY_ID"
                )
            }
            if description.contains("timeframe") || description.contains("short-lived") || description.contains("iat") {
                return StorageError(.unauthorized, "token refused (invalid_grant): the assertion's time is off — check this host's clock (NTP)")
            }
        }
        let code: StorageError.Code = RetryPolicy.isRetryable(status: status) ? .unavailable : .unauthorized
        return StorageError(code, "token refused (\(error)): \(description.prefix(200))")
    }

}
