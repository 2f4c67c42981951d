import Foundation
import Shared
import Synchronization
import TestSupport
import Testing

/// The `gcs` backend against the real GCS emulator (fake-gcs-server) the test command starts,
/// directly and through a fault-injecting proxy.
@Suite(.enabled(if: Stack.current?.values["UB_GCS_EMULATOR"] != nil), .serialized)
struct GCSStorageTests {
    let emulator = Stack.shared.values["UB_GCS_EMULATOR"]!

    static let retry = RetryPolicy(maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 200, budgetMs: 10_000)

    func storage(_ base: String? = nil, chunk: Int = 256 << 10, timeoutMs: Int = 3_000) -> GCSObjectStorage {
        GCSObjectStorage(
            configuration: .init(
                baseURL: base ?? emulator, projectID: "test", uploadChunkBytes: chunk, requestTimeoutMs: timeoutMs,
                transferTimeoutMs: timeoutMs, retry: Self.retry),
            client: CurlHTTPClient(configuration: .init(connectTimeoutMs: 1_000, totalTimeoutMs: timeoutMs)), tokens: nil, signer: nil)
    }

    static func bucketName(_ tag: String = "b") -> BucketName {
        BucketName("ub-test-\(tag)-\(Self.randomTag())")!
    }

    static func object(_ name: String) -> ObjectName { ObjectName(name)! }

    static func randomTag() -> String { String(UInt64.random(in: 0...UInt64.max), radix: 16) }

    func read(_ storage: GCSObjectStorage, _ name: ObjectName, in bucket: BucketName) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        let found = try storage.readObject(name, in: bucket) { bytes.append(contentsOf: $0) }
        return found == nil ? nil : bytes
    }

    @Test func bucketsAreCreatedOnceFoundAndListedByPage() throws {
        let gcs = storage()
        let tag = String(Self.randomTag().prefix(8))
        let names = (0..<3).map { BucketName("ub-list-\(tag)-\($0)")! }
        for name in names { #expect(try gcs.createBucket(name) == .created) }
        #expect(try gcs.createBucket(names[0]) == .alreadyOwned)
        #expect(try gcs.bucketExists(names[1]))
        #expect(try !gcs.bucketExists(Self.bucketName("missing")))
        // Every page, by prefix. (The emulator ignores maxResults for buckets and answers one page.)
        var listed: [String] = []
        var token: String?
        repeat {
            let page = try gcs.listBuckets(prefix: "ub-list-\(tag)", pageToken: token, maxResults: 2)
            listed += page.names
            token = page.nextPageToken
        } while token != nil
        #expect(listed.sorted() == names.map(\.value))
    }

    @Test func aCreateOnlyObjectWrittenTwiceIsStoredOnce() throws {
        let gcs = storage()
        let bucket = Self.bucketName()
        _ = try gcs.createBucket(bucket)
        let name = Self.object("messages/2026-11-25/42.json")
        let first = try gcs.putObject(name, in: bucket, contentType: "application/json", data: Array(#"{"n":1}"#.utf8), ifAbsent: true)
        guard case .stored(let stored) = first else {
            Issue.record("first write not stored: \(first)")
            return
        }
        #expect(stored.size == 7)
        #expect(stored.name == name.value)
        let second = try gcs.putObject(name, in: bucket, contentType: "application/json", data: Array(#"{"n":2}"#.utf8), ifAbsent: true)
        #expect(second == .alreadyStored)
        #expect(try read(gcs, name, in: bucket) == Array(#"{"n":1}"#.utf8))
        let page = try gcs.listObjects(in: bucket, prefix: "", pageToken: nil, maxResults: 10)
        #expect(page.objects.map(\.name) == [name.value])
        // Overwriting is a separate, explicit choice.
        _ = try gcs.putObject(name, in: bucket, contentType: "application/json", data: Array(#"{"n":3}"#.utf8), ifAbsent: false)
        #expect(try read(gcs, name, in: bucket) == Array(#"{"n":3}"#.utf8))
    }

    @Test func objectsAreListedByPrefixAndPageAndDeleted() throws {
        let gcs = storage()
        let bucket = Self.bucketName()
        _ = try gcs.createBucket(bucket)
        let names = ["kb/a.txt", "kb/b.txt", "kb/c d&e.txt", "kb/sub/d.txt", "other/x.txt"]
        for name in names {
            _ = try gcs.putObject(Self.object(name), in: bucket, contentType: "text/plain", data: Array(name.utf8), ifAbsent: true)
        }
        var listed: [String] = []
        var token: String?
        repeat {
            let page = try gcs.listObjects(in: bucket, prefix: "kb/", pageToken: token, maxResults: 2)
            #expect(page.objects.count <= 2)
            listed += page.objects.map(\.name)
            token = page.nextPageToken
        } while token != nil
        #expect(listed == names.filter { $0.hasPrefix("kb/") })
        #expect(try read(gcs, Self.object("kb/c d&e.txt"), in: bucket) == Array("kb/c d&e.txt".utf8))
        #expect(try gcs.deleteObject(Self.object("kb/a.txt"), in: bucket))
        #expect(try !gcs.deleteObject(Self.object("kb/a.txt"), in: bucket))
        #expect(try read(gcs, Self.object("kb/a.txt"), in: bucket) == nil)
        #expect(throws: StorageError.self) { try gcs.listObjects(in: Self.bucketName("none"), prefix: "", pageToken: nil, maxResults: 5) }
    }

    @Test func aBucketIsDeletedOnlyOnceItHoldsNoObject() throws {
        let gcs = storage()
        let bucket = Self.bucketName("del")
        #expect(try gcs.createBucket(bucket) == .created)
        _ = try gcs.putObject(Self.object("a/b.json"), in: bucket, contentType: "application/json", data: [1], ifAbsent: true)
        #expect(try gcs.deleteBucket(bucket) == .notEmpty)
        #expect(try read(gcs, Self.object("a/b.json"), in: bucket) == [1])
        #expect(try gcs.deleteObject(Self.object("a/b.json"), in: bucket))
        #expect(try gcs.deleteBucket(bucket) == .deleted)
        #expect(try !gcs.bucketExists(bucket))
        #expect(try gcs.deleteBucket(bucket) == .notFound)
    }

    @Test func downloadURLsPointAtTheEmulatorWithoutCredentials() throws {
        let gcs = storage()
        let bucket = Self.bucketName()
        _ = try gcs.createBucket(bucket)
        _ = try gcs.putObject(Self.object("a b.txt"), in: bucket, contentType: "text/plain", data: Array("hi".utf8), ifAbsent: true)
        let url = try #require(try gcs.downloadURL(for: Self.object("a b.txt"), in: bucket, expiresIn: 60))
        #expect(url == "\(emulator)/download/storage/v1/b/\(bucket.value)/o/a%20b.txt?alt=media")
        let fetched = try CurlHTTPClient().send(HTTPClientRequest(url: url))
        #expect(fetched.body == Array("hi".utf8))
    }

    @Test func sixtyFourConcurrentEnsuresMakeOneBucket() throws {
        let user = try Fixtures().user()
        let naming = try BucketNaming(environment: Stack.shared.environment)
        let outcomes = Mutex<[BucketProvisioner.Ensured]>([])
        let failures = Atomic<Int>(0)
        runConcurrently(64) { _ in
            let connection = Stack.shared.database()
            let provisioner = BucketProvisioner(
                naming: naming, storage: storage(), mappings: PostgresBucketMappingStore(connection: connection),
                locks: PostgresAdvisoryLocks(connection: connection))
            do {
                let ensured = try provisioner.ensureUserBucket(UserID(user)!)
                outcomes.withLock { $0.append(ensured) }
            } catch {
                failures.add(1, ordering: .relaxed)
            }
        }
        let all = outcomes.withLock { $0 }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(all.count == 64)
        #expect(Set(all.map(\.name.value)).count == 1)
        #expect(all.filter(\.isNew).count == 1)
        let name = try #require(all.first?.name)
        let listed = try storage().listBuckets(prefix: name.value, pageToken: nil, maxResults: 10)
        #expect(listed.names == [name.value])
        let rows = try Fixtures().rows("SELECT count(*) FROM user_bucket_mapping WHERE user_id = $1::uuid", [user])
        #expect(rows.first?[0] == "1")
    }

    @Test func aTwentyMegabyteObjectGoesUpResumableAndComesBackIdentical() throws {
        let path = NSTemporaryDirectory() + "ub-20mb-\(Self.randomTag())"
        let back = path + ".back"
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: back)
        }
        var generator = SystemRandomNumberGenerator()
        var data = [UInt8](repeating: 0, count: 20 << 20)
        for index in stride(from: 0, to: data.count, by: 8) {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes in
                for offset in 0..<8 { data[index + offset] = bytes[offset] }
            }
        }
        try Data(data).write(to: URL(fileURLWithPath: path))
        let bucket = Self.bucketName("big")
        _ = try storage().createBucket(bucket)
        // Through the CLI, a process of its own, so its peak memory can be read: 8 MiB chunks.
        // Through the proxy too, to see the upload go resumable.
        let proxy = FaultProxy(upstream: emulator)
        let result = try Stack.shared.shell(
            #"""
            export STORAGE_BACKEND=gcs STORAGE_EMULATOR_HOST='\#(proxy.baseURL)' GCS_UPLOAD_CHUNK_BYTES=8388608
            peak() {
                local pid=$1 high=0 value
                while [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null || echo Z)" != Z ]; do
                    value=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null) && [ -n "$value" ] && high=$value
                    sleep 0.02
                done
                echo "$high"
            }
            "$UB_BIN/userbuckets" object put '\#(bucket.value)' big.bin --file '\#(path)' --content-type application/octet-stream --create-only &
            pid=$!; up=$(peak $pid); wait $pid; echo "put=$? peak=$up"
            "$UB_BIN/userbuckets" object get '\#(bucket.value)' big.bin >'\#(back)' &
            pid=$!; down=$(peak $pid); wait $pid; echo "get=$? peak=$down"
            """#)
        #expect(result.output.contains("put=0"), "\(result.output)")
        #expect(proxy.takeSeen().contains { $0.hasPrefix("POST /upload/storage/v1/b/\(bucket.value)/o?uploadType=resumable&name=big.bin") })
        #expect(result.output.contains("get=0"), "\(result.output)")
        for line in result.output.split(separator: "\n") where line.contains("peak=") {
            let kilobytes = Int(line.split(separator: "=").last!) ?? .max
            #expect(kilobytes > 0 && kilobytes < 64 * 1024, "peak RSS \(kilobytes) kB: \(line)")
        }
        let returned = try Data(contentsOf: URL(fileURLWithPath: back))
        #expect(returned.count == data.count)
        #expect(Digest.sha256(Array(returned)) == Digest.sha256(data))
    }
}
