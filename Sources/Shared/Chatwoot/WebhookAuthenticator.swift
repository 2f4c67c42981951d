/// Who may post to `chatwoot-webhook`: a signed delivery (`CHATWOOT_WEBHOOK_SECRET`), or, for
/// Chatwoot versions that cannot sign, a secret token in the URL (`CHATWOOT_WEBHOOK_TOKEN`,
/// `?token=…`), or a caller with a valid service-role JWT (`chatwoot-webhook-v2`'s fallback
/// and the operator's `reprocess_audio`: the project's most powerful secret is enough). With neither configured the function does not start, unless
/// `CHATWOOT_WEBHOOK_INSECURE=true` (development only) lets everything in.
package struct WebhookAuthenticator: Sendable {
    let signature: ChatwootSignature?
    let token: [UInt8]?
    let insecure: Bool
    let clock: @Sendable () -> Int

    package init(signature: ChatwootSignature?, token: String?, insecure: Bool = false, clock: @escaping @Sendable () -> Int = { UnixTime.now() }) {
        self.signature = signature
        self.token = token.map { Array($0.utf8) }
        self.insecure = insecure
        self.clock = clock
    }

    /// Reads `CHATWOOT_WEBHOOK_SECRET` (secret), `CHATWOOT_WEBHOOK_TOKEN` (secret),
    /// `CHATWOOT_SIGNATURE_TOLERANCE_SECONDS` (300) and `CHATWOOT_WEBHOOK_INSECURE` (false).
    package init(environment: Environment) throws(Environment.Error) {
        let secret = environment.get("CHATWOOT_WEBHOOK_SECRET")
        let token = environment.get("CHATWOOT_WEBHOOK_TOKEN")
        let insecure = try environment.flag("CHATWOOT_WEBHOOK_INSECURE", default: false)
        if secret == nil && token == nil && !insecure {
            throw Environment.Error(
                variable: "CHATWOOT_WEBHOOK_SECRET",
                reason:
                    "is not set (nor CHATWOOT_WEBHOOK_TOKEN): refusing to accept unauthenticated webhooks; set CHATWOOT_WEBHOOK_INSECURE=true for local development only"
            )
        }
        if let token, token.utf8.count < 16 {
            throw Environment.Error(variable: "CHATWOOT_WEBHOOK_TOKEN", reason: "must be at least 16 characters")
        }
        let tolerance = try environment.integer("CHATWOOT_SIGNATURE_TOLERANCE_SECONDS", default: 300)
        self.init(signature: secret.map { ChatwootSignature(secret: $0, toleranceSeconds: tolerance) }, token: token, insecure: insecure)
    }

    /// Who a delivery came from.
    package enum Sender: Equatable, Sendable {
        /// Chatwoot itself (signed, or with the URL token), or anyone in insecure mode.
        case chatwoot
        /// A caller with a verified service-role JWT.
        case serviceRole
    }

    /// Accepts the request or throws 401 saying why (never echoing what was sent). A bearer
    /// token that `jwt` verifies as the service role is enough; any other token is ignored
    /// here and the signature or URL token decides.
    package func authenticate(_ request: Request, jwt: Authenticator? = nil) throws(ServiceError) -> Sender {
        if let jwt, request.header("authorization") != nil, (try? jwt.authenticate(request)) == .serviceRole { return .serviceRole }
        try authenticateChatwoot(request)
        return .chatwoot
    }

    private func authenticateChatwoot(_ request: Request) throws(ServiceError) {
        if insecure { return }
        let signatureHeader = request.header("x-chatwoot-signature")
        if let signature, signatureHeader != nil || token == nil {
            do {
                try signature.verify(
                    body: request.body, signature: signatureHeader, timestamp: request.header("x-chatwoot-timestamp"), now: clock())
                return
            } catch {
                throw ServiceError(.unauthorized, "Invalid webhook signature: \(error.rawValue)")
            }
        }
        if let token {
            guard let given = request.queryValue("token"), Digest.constantTimeEquals(Array(given.utf8), token) else {
                throw ServiceError(.unauthorized, "Invalid or missing webhook token")
            }
            return
        }
        throw ServiceError(.unauthorized, "Webhook authentication failed")
    }

}
