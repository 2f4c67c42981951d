import Shared
import Synchronization
import TestSupport
import Testing

@Suite struct RemoteJSONWebKeySetTests {
    let vectors = try! Fixture.json("supabase/jwt_test_vectors.json")
    let now = 1_779_451_300

    @Test func fetchesOnceCachesAndLimitsRefetches() throws {
        let jwks = Array(vectors["es256"]!["jwks"]!.serialized().utf8)
        let server = LoopbackHTTPServer { request in
            let path = request.path
            return path == "/auth/v1/.well-known/jwks.json" ? .init(status: 200, body: jwks) : .init(status: 404, body: [])
        }
        let remote = RemoteJSONWebKeySet(url: server.baseURL + "/auth/v1/.well-known/jwks.json")
        let verifier = JWTVerifier(hmacSecret: nil, remoteKeys: remote)
        let token = vectors["es256"]!["token_valid_until_2100"]!.stringValue!
        #expect(try verifier.verify(token, now: now) == .user(id: UserID("4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90")!))
        #expect(try verifier.verify(token, now: now + 5) == .user(id: UserID("4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90")!))
        #expect(server.requestCount == 1)
        // An unknown kid triggers one early refetch, and no more within the interval.
        #expect(remote.key(for: "rotated-key", now: now + 40) == nil)
        #expect(remote.key(for: "rotated-key", now: now + 41) == nil)
        #expect(server.requestCount == 2)
        // After max age the set is fetched again.
        #expect(remote.key(for: "9a1c4f3e-5b7d-4e2a-8c6f-0d1e2f3a4b5c", now: now + 700) != nil)
        #expect(server.requestCount == 3)
    }

    @Test func aFailingEndpointKeepsTheKeysItHad() throws {
        let jwks = Array(vectors["es256"]!["jwks"]!.serialized().utf8)
        let failing = Atomic(false)
        let server = LoopbackHTTPServer { _ in failing.load(ordering: .relaxed) ? .init(status: 503, body: []) : .init(status: 200, body: jwks) }
        let remote = RemoteJSONWebKeySet(url: server.baseURL + "/jwks.json")
        #expect(remote.key(for: "9a1c4f3e-5b7d-4e2a-8c6f-0d1e2f3a4b5c", now: now) != nil)
        failing.store(true, ordering: .relaxed)
        #expect(remote.key(for: "9a1c4f3e-5b7d-4e2a-8c6f-0d1e2f3a4b5c", now: now + 700) != nil)
        let unreachable = RemoteJSONWebKeySet(url: "http://127.0.0.1:1/jwks.json")
        #expect(unreachable.key(for: "any", now: now) == nil)
    }
}

@Suite struct CurlHTTPClientTests {
    @Test func timeoutsSizeLimitsAndSchemes() throws {
        let server = LoopbackHTTPServer { request in
            let path = request.path
            return switch path {
            case "/slow": .init(status: 200, body: [1], delayMs: 2000)
            case "/big": .init(status: 200, body: [UInt8](repeating: 65, count: 4096))
            default: .init(status: 201, body: Array("hello".utf8))
            }
        }
        let client = CurlHTTPClient(configuration: .init(connectTimeoutMs: 500, totalTimeoutMs: 500, maxResponseBytes: 1024))
        let ok = try client.send(HTTPClientRequest(url: server.baseURL + "/"))
        #expect(ok.status == 201)
        #expect(ok.body == Array("hello".utf8))
        #expect(ok.headers["content-length"] == "5")
        do {
            _ = try client.send(HTTPClientRequest(url: server.baseURL + "/big"))
            Issue.record("a body over the limit was accepted")
        } catch {
            #expect(error.code == .tooLarge)
        }
        // Last: the one-thread server sleeps through this one.
        do {
            _ = try client.send(HTTPClientRequest(url: server.baseURL + "/slow"))
            Issue.record("no timeout")
        } catch {
            #expect(error.code == .timeout)
        }
        do {
            _ = try client.send(HTTPClientRequest(url: "file:///etc/passwd"))
            Issue.record("file: was fetched")
        } catch {
            #expect(error.code == .invalidURL)
        }
    }
}
