import Synchronization
import TestSupport
import Testing

@testable import Shared

/// Service-account tokens against a local token endpoint that verifies each assertion with the
/// public half of the key, as Google's does.
@Suite struct ServiceAccountTokenSourceTests {
    static func pem(_ name: String) throws -> String {
        String(decoding: try Fixture.bytes("keys/" + name), as: UTF8.self)
    }

    /// A token endpoint: verifies the JWT bearer grant, then answers `reply`.
    final class TokenEndpoint: Sendable {
        let server: LoopbackHTTPServer
        /// Header and claims of every assertion that verified.
        let verified = Verified()

        final class Verified: Sendable {
            let list = Mutex<[JSON]>([])
        }

        init(reply: @escaping @Sendable () -> LoopbackHTTPServer.Reply) throws {
            let publicKey = try PublicKey(pem: try ServiceAccountTokenSourceTests.pem("test_rsa_public.pem"))
            let verified = self.verified
            server = LoopbackHTTPServer { request in
                let body = request.body
                let form = String(decoding: body, as: UTF8.self)
                guard form.hasPrefix("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="),
                    let assertion = form.split(separator: "=").last
                else { return .init(status: 400, body: Array(#"{"error":"unsupported_grant_type"}"#.utf8)) }
                let parts = assertion.split(separator: ".")
                guard parts.count == 3, let signature = Base64URL.decode(parts[2]),
                    publicKey.verifyRS256(signature: signature, message: Array("\(parts[0]).\(parts[1])".utf8)),
                    let header = Base64URL.decode(parts[0]).flatMap({ try? JSONParser.parse($0) }),
                    let claims = Base64URL.decode(parts[1]).flatMap({ try? JSONParser.parse($0) })
                else {
                    return .init(status: 400, body: Array(#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#.utf8))
                }
                verified.list.withLock { $0.append(.object(["header": header, "claims": claims])) }
                return reply()
            }
        }
    }

    func source(_ endpoint: TokenEndpoint, key: String = "test_rsa_pkcs8.pem", now: Int = 1_779_451_300) throws -> ServiceAccountTokenSource {
        let credentials = GCSCredentials(
            projectID: "demo", clientEmail: "userbuckets@demo.iam.gserviceaccount.com", privateKeyID: "key-1",
            privateKey: try PrivateKey(pem: try Self.pem(key)), tokenURL: endpoint.server.baseURL + "/token")
        return ServiceAccountTokenSource(
            credentials: credentials, client: CurlHTTPClient(), retry: RetryPolicy(maxAttempts: 3, initialDelayMs: 5), clock: { now })
    }

    @Test(arguments: ["test_rsa_pkcs8.pem", "test_rsa_pkcs1.pem"])
    func exchangesAVerifiedAssertionAndCachesTheToken(key: String) throws {
        let tokenResponse = try Fixture.bytes("gcs/oauth_token_response.json")
        let endpoint = try TokenEndpoint { .init(status: 200, body: tokenResponse) }
        let tokens = try source(endpoint, key: key)
        #expect(try tokens.accessToken() == "ya29.c.c0ASRK0Gb-EXAMPLE-NOT-A-REAL-TOKEN")
        #expect(try tokens.accessToken() == "ya29.c.c0ASRK0Gb-EXAMPLE-NOT-A-REAL-TOKEN")
        #expect(endpoint.server.requestCount == 1)
        let seen = endpoint.verified.list.withLock { $0 }
        #expect(seen.count == 1)
        #expect(seen[0]["header"]?["kid"] == .string("key-1"))
        #expect(seen[0]["header"]?["alg"] == .string("RS256"))
        let claims = seen[0]["claims"]
        #expect(claims?["scope"] == .string("https://www.googleapis.com/auth/devstorage.full_control"))
        #expect(claims?["aud"] == .string(endpoint.server.baseURL + "/token"))
        #expect(claims?["iss"] == .string("userbuckets@demo.iam.gserviceaccount.com"))
        #expect(claims?["exp"]?.intValue == 1_779_451_300 + 3600)
        tokens.invalidate()
        _ = try tokens.accessToken()
        #expect(endpoint.server.requestCount == 2)
    }

    @Test func refreshesFiveMinutesBeforeExpiry() throws {
        let tokenResponse = try Fixture.bytes("gcs/oauth_token_response.json")
        let endpoint = try TokenEndpoint { .init(status: 200, body: tokenResponse) }
        let now = Atomic<Int>(1_000_000)
        let credentials = GCSCredentials(
            projectID: "demo", clientEmail: "a@demo.iam.gserviceaccount.com", privateKeyID: nil,
            privateKey: try PrivateKey(pem: try Self.pem("test_rsa_pkcs8.pem")), tokenURL: endpoint.server.baseURL + "/token")
        let tokens = ServiceAccountTokenSource(credentials: credentials, client: CurlHTTPClient(), clock: { now.load(ordering: .relaxed) })
        _ = try tokens.accessToken()
        now.store(1_000_000 + 3599 - 301, ordering: .relaxed)
        _ = try tokens.accessToken()
        #expect(endpoint.server.requestCount == 1)
        now.store(1_000_000 + 3599 - 299, ordering: .relaxed)
        _ = try tokens.accessToken()
        #expect(endpoint.server.requestCount == 2)
    }

    @Test func aWrongKeyIsReportedAsSuch() throws {
        let tokenResponse = try Fixture.bytes("gcs/oauth_token_response.json")
        let endpoint = try TokenEndpoint { .init(status: 200, body: tokenResponse) }
        // A key the endpoint cannot verify: the conformance suite's dummy key.
        let other = try Fixture.json("gcs/v4_signing_vectors.json")["privateKeyPEM"]!.stringValue!
        let credentials = GCSCredentials(
            projectID: "demo", clientEmail: "a@demo.iam.gserviceaccount.com", privateKeyID: nil, privateKey: try PrivateKey(pem: other),
            tokenURL: endpoint.server.baseURL + "/token")
        let tokens = ServiceAccountTokenSource(credentials: credentials, client: CurlHTTPClient())
        do {
            _ = try tokens.accessToken()
            Issue.record("a wrong key got a token")
        } catch {
            #expect(error.code == .unauthorized)
            #expect(error.detail.contains("private key does not belong"))
        }
        #expect(endpoint.server.requestCount == 1)  // a 400 is not retried
    }

    @Test func clockSkewIsReportedAsSuch() throws {
        let body = try Fixture.bytes("gcs/oauth_error_invalid_grant_time.json")
        let endpoint = try TokenEndpoint { .init(status: 400, body: body) }
        let tokens = try source(endpoint)
        do {
            _ = try tokens.accessToken()
            Issue.record("a refused grant gave a token")
        } catch {
            #expect(error.code == .unauthorized)
            #expect(error.detail.contains("clock"))
        }
    }

    @Test func aFailingEndpointIsRetriedThenReported() throws {
        let endpoint = try TokenEndpoint { .init(status: 503, body: []) }
        let tokens = try source(endpoint)
        do {
            _ = try tokens.accessToken()
            Issue.record("a 503 gave a token")
        } catch {
            #expect(error.code == .unavailable)
        }
        #expect(endpoint.server.requestCount == 3)
    }

    @Test func keysLoadFromTheOriginalVariablesWithEscapedNewlines() throws {
        let pem = try Self.pem("test_rsa_pkcs8.pem").replacing("\n", with: "\\n")
        let credentials = try GCSCredentials(
            environment: Environment([
                "GCS_PROJECT_ID": "demo", "GCS_CLIENT_EMAIL": "a@demo.iam.gserviceaccount.com", "GCS_PRIVATE_KEY": pem,
                "GCS_PRIVATE_KEY_ID": "k1",
            ]))
        #expect(credentials.privateKeyID == "k1")
        #expect(credentials.tokenURL == GCSCredentials.defaultTokenURL)
        #expect(throws: Environment.Error.self) {
            try GCSCredentials(environment: Environment(["GCS_PROJECT_ID": "demo", "GCS_CLIENT_EMAIL": "x", "GCS_PRIVATE_KEY": "nope"]))
        }
        #expect(throws: Environment.Error.self) { try GCSCredentials(environment: Environment([:])) }
    }
}
