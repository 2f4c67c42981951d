import Synchronization
import TestSupport
import Testing

@testable import Shared

/// The GCS client's choices, against a local server answering with GCS's recorded bodies.
@Suite struct GCSObjectStorageTests {
    /// Counts tokens handed out and invalidations.
    final class CountingTokens: AccessTokenSource {
        var issued = 0
        var invalidated = 0
        func accessToken() throws(StorageError) -> String {
            issued += 1
            return "token-\(invalidated)"
        }
        func invalidate() { invalidated += 1 }
    }

    final class Seen: Sendable {
        let requests = Mutex<[(path: String, body: [UInt8])]>([])
    }

    func storage(_ server: LoopbackHTTPServer, tokens: (any AccessTokenSource)? = nil) -> GCSObjectStorage {
        GCSObjectStorage(
            configuration: .init(baseURL: server.baseURL, projectID: "demo-project", retry: RetryPolicy(maxAttempts: 2, initialDelayMs: 1)),
            client: CurlHTTPClient(), tokens: tokens, signer: nil)
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        try Fixture.bytes("gcs/" + name)
    }

    @Test func newBucketsCarryTheOriginalSettingsPlusAccessControlsAndLabels() throws {
        let seen = Seen()
        let resource = try Self.fixture("bucket_resource_response.json")
        let server = LoopbackHTTPServer { request in
            let (path, body) = (request.path, request.body)
            seen.requests.withLock { $0.append((path, body)) }
            return .init(status: 200, body: resource)
        }
        #expect(try storage(server).createBucket(BucketName("pacelane-whatsapp-user-abc")!) == .created)
        let (path, body) = try #require(seen.requests.withLock { $0.first })
        #expect(path == "/storage/v1/b?project=demo-project")
        let json = try JSONParser.parse(body)
        #expect(json["name"] == .string("pacelane-whatsapp-user-abc"))
        #expect(json["location"] == .string("US-CENTRAL1"))
        #expect(json["storageClass"] == .string("STANDARD"))
        let rules = json["lifecycle"]?["rule"]?.arrayValue ?? []
        #expect(rules.map { $0["action"]?["storageClass"]?.stringValue } == ["NEARLINE", "COLDLINE", "ARCHIVE"])
        #expect(rules.map { $0["condition"]?["age"]?.intValue } == [30, 90, 365])
        #expect(json["iamConfiguration"]?["uniformBucketLevelAccess"]?["enabled"] == .bool(true))
        #expect(json["iamConfiguration"]?["publicAccessPrevention"] == .string("enforced"))
        #expect(json["labels"]?["managed-by"] == .string("userbuckets"))
    }

    @Test func a409WeCanReadIsOursAndOneWeCannotIsSomeoneElses() throws {
        let owned = try Self.fixture("error_409_bucket_already_owned.json")
        let taken = try Self.fixture("error_409_bucket_name_unavailable.json")
        let ours = LoopbackHTTPServer { request in
            let path = request.path
            return path.hasPrefix("/storage/v1/b?") ? .init(status: 409, body: owned) : .init(status: 200, body: Array("{}".utf8))
        }
        #expect(try storage(ours).createBucket(BucketName("ub-mine")!) == .alreadyOwned)
        let theirs = LoopbackHTTPServer { request in
            let path = request.path
            return path.hasPrefix("/storage/v1/b?") ? .init(status: 409, body: taken) : .init(status: 403, body: Array("{}".utf8))
        }
        do {
            _ = try storage(theirs).createBucket(BucketName("ub-taken")!)
            Issue.record("someone else's bucket counted as ours")
        } catch {
            #expect(error.code == .nameUnavailable)
        }
    }

    @Test func a401FetchesAFreshTokenOnce() throws {
        let calls = Atomic<Int>(0)
        let server = LoopbackHTTPServer { _ in
            calls.add(1, ordering: .relaxed).newValue == 1 ? .init(status: 401, body: []) : .init(status: 200, body: Array("{}".utf8))
        }
        let tokens = CountingTokens()
        #expect(try storage(server, tokens: tokens).bucketExists(BucketName("ub-x")!))
        #expect(tokens.invalidated == 1)
        #expect(tokens.issued == 2)
        // A 401 with a fresh token too is a credentials problem, said once.
        let refusing = LoopbackHTTPServer { _ in .init(status: 401, body: []) }
        let second = CountingTokens()
        do {
            _ = try storage(refusing, tokens: second).bucketExists(BucketName("ub-x")!)
            Issue.record("a refused token passed")
        } catch {
            #expect(error.code == .unauthorized)
        }
        #expect(second.invalidated == 1)
    }

    @Test func createOnlyConflictsAreAlreadyStoredAndErrorsKeepGCSMessages() throws {
        let preconditionFailed = try Self.fixture("error_412_precondition_failed.json")
        let conflict = LoopbackHTTPServer { _ in .init(status: 412, body: preconditionFailed) }
        let name = ObjectName("a.json")!
        let bucket = BucketName("ub-b")!
        #expect(try storage(conflict).putObject(name, in: bucket, contentType: "application/json", data: [1], ifAbsent: true) == .alreadyStored)
        let notFound = try Self.fixture("error_404_no_such_object.json")
        let missing = LoopbackHTTPServer { _ in .init(status: 404, body: notFound) }
        var bytes = 0
        #expect(try storage(missing).readObject(name, in: bucket) { bytes += $0.count } == nil)
        #expect(bytes == 0)
        #expect(try !storage(missing).deleteObject(name, in: bucket))
        let forbidden = LoopbackHTTPServer { _ in
            .init(status: 403, body: Array(#"{"error":{"code":403,"message":"no storage.objects.create"}}"#.utf8))
        }
        do {
            _ = try storage(forbidden).putObject(name, in: bucket, contentType: "application/json", data: [1], ifAbsent: true)
            Issue.record("a 403 stored something")
        } catch {
            #expect(error.code == .rejected)
            #expect(error.detail.contains("no storage.objects.create"))
        }
    }

    @Test func keyFilesLoadWithTheirProjectAndTokenEndpoint() throws {
        let pem = try ServiceAccountTokenSourceTests.pem("test_rsa_pkcs8.pem")
        let keyFile = JSON.object([
            "type": .string("service_account"), "project_id": .string("file-project"), "private_key_id": .string("abc"),
            "private_key": .string(pem), "client_email": .string("sa@file-project.iam.gserviceaccount.com"),
            "token_uri": .string("https://oauth2.example/token"),
        ])
        let credentials = try GCSCredentials(keyFile: keyFile)
        #expect(credentials.projectID == "file-project")
        #expect(credentials.privateKeyID == "abc")
        #expect(credentials.tokenURL == "https://oauth2.example/token")
        #expect(throws: Environment.Error.self) { try GCSCredentials(keyFile: .object(["type": .string("authorized_user")])) }
    }
}
