import Foundation
import Shared
import Synchronization
import TestSupport
import Testing

/// Storage faults from a proxy in front of the emulator: each call either succeeds after
/// retries or fails with a clear error, and nothing is half-written.
@Suite(.enabled(if: Stack.current?.values["UB_GCS_EMULATOR"] != nil), .serialized)
struct GCSFaultTests {
    let emulator = Stack.shared.values["UB_GCS_EMULATOR"]!
    let proxy = FaultProxy(upstream: Stack.shared.values["UB_GCS_EMULATOR"]!)

    func throughProxy(timeoutMs: Int = 3_000) -> GCSObjectStorage {
        GCSStorageTests().storage(proxy.baseURL, timeoutMs: timeoutMs)
    }

    func freshBucket() throws -> BucketName {
        let bucket = GCSStorageTests.bucketName("fault")
        _ = try GCSStorageTests().storage().createBucket(bucket)
        return bucket
    }

    func objectCount(_ bucket: BucketName) throws -> Int {
        try GCSStorageTests().storage().listObjects(in: bucket, prefix: "", pageToken: nil, maxResults: 100).objects.count
    }

    @Test func fiveHundredsAndRateLimitsAreRetriedHonouringRetryAfter() throws {
        let bucket = try freshBucket()
        proxy.inject([.status(503), .status(429, retryAfter: 1)])
        let started = ContinuousClock.now
        let result = try throughProxy().putObject(
            GCSStorageTests.object("a.json"), in: bucket, contentType: "application/json", data: Array("{}".utf8), ifAbsent: true)
        #expect(ContinuousClock.now - started >= .seconds(1))
        guard case .stored = result else {
            Issue.record("not stored: \(result)")
            return
        }
        #expect(proxy.takeSeen().filter { $0.hasPrefix("POST /upload/") }.count == 3)
        #expect(try objectCount(bucket) == 1)
    }

    @Test func aHungSocketTimesOutAndIsRetried() throws {
        let bucket = try freshBucket()
        proxy.inject([.hang])
        let result = try throughProxy(timeoutMs: 800).putObject(
            GCSStorageTests.object("b.json"), in: bucket, contentType: "application/json", data: Array("{}".utf8), ifAbsent: true)
        guard case .stored = result else {
            Issue.record("not stored: \(result)")
            return
        }
        #expect(proxy.takeSeen().count == 2)
        #expect(try objectCount(bucket) == 1)
    }

    @Test func aResetConnectionIsRetried() throws {
        proxy.inject([.reset])
        let bucket = GCSStorageTests.bucketName("reset")
        #expect(try throughProxy().createBucket(bucket) == .created)
        #expect(proxy.takeSeen().count == 2)
        #expect(try GCSStorageTests().storage().bucketExists(bucket))
    }

    @Test func aStorageThatKeepsFailingIsAClearErrorAndWritesNothing() throws {
        let bucket = try freshBucket()
        proxy.failAll(.status(503))
        defer { proxy.failAll(nil) }
        do {
            _ = try throughProxy().putObject(
                GCSStorageTests.object("c.json"), in: bucket, contentType: "application/json", data: Array("{}".utf8), ifAbsent: true)
            Issue.record("a failing storage stored something")
        } catch {
            #expect(error.code == .unavailable)
            #expect(error.detail.contains("503"))
            #expect(error.detail.contains("after 4 attempts"))
        }
        #expect(proxy.takeSeen().count == 4)
        #expect(try objectCount(bucket) == 0)
    }

    @Test func otherClientErrorsAreNotRetried() throws {
        let bucket = try freshBucket()
        proxy.inject([.status(400)])
        #expect(throws: StorageError.self) {
            try throughProxy().putObject(
                GCSStorageTests.object("d.json"), in: bucket, contentType: "application/json", data: Array("{}".utf8), ifAbsent: true)
        }
        #expect(proxy.takeSeen().count == 1)
        // An overwrite (not idempotent) is not retried on a 503 either.
        proxy.inject([.status(503)])
        #expect(throws: StorageError.self) {
            try throughProxy().putObject(
                GCSStorageTests.object("d.json"), in: bucket, contentType: "application/json", data: Array("{}".utf8), ifAbsent: false)
        }
        #expect(proxy.takeSeen().count == 1)
        #expect(try objectCount(bucket) == 0)
    }

    /// A `user-bucket-service` worker on the `gcs` backend, spoken to over FastCGI.
    @Test func aFunctionOnAFailingStorageAnswers502AndRecordsNothingThenHeals() throws {
        let user = try Fixtures().user()
        let body = #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#
        proxy.failAll(.status(503))
        defer { proxy.failAll(nil) }
        let script = #"""
            sock="$UB_STATE/run/gcs-worker.sock"; log="$UB_STATE/log/gcs-worker.log"; rm -f "$sock"
            STORAGE_BACKEND=gcs STORAGE_EMULATOR_HOST='\#(proxy.baseURL)' GCS_RETRY_INITIAL_DELAY_MS=10 GCS_RETRY_MAX_ATTEMPTS=3 \
                spawn-fcgi -n -s "$sock" -- "$UB_BIN/user-bucket-service" 2>>"$log" &
            pid=$!
            for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.05; done
            body='\#(body)'
            REQUEST_METHOD=POST DOCUMENT_URI=/functions/v1/user-bucket-service CONTENT_TYPE=application/json \
                CONTENT_LENGTH=${#body} HTTP_AUTHORIZATION="Bearer \#(Tokens.serviceRole)" HTTP_X_REQUEST_ID=gcs-down-1 \
                cgi-fcgi -bind -connect "$sock" <<<"$body"
            echo
            touch "$UB_STATE/run/gcs-worker.go"
            for _ in $(seq 100); do [ -f "$UB_STATE/run/gcs-worker.healed" ] && break; sleep 0.05; done
            REQUEST_METHOD=POST DOCUMENT_URI=/functions/v1/user-bucket-service CONTENT_TYPE=application/json \
                CONTENT_LENGTH=${#body} HTTP_AUTHORIZATION="Bearer \#(Tokens.serviceRole)" \
                cgi-fcgi -bind -connect "$sock" <<<"$body"
            kill -TERM "$pid"; wait "$pid"
            rm -f "$UB_STATE/run/gcs-worker.go" "$UB_STATE/run/gcs-worker.healed"
            """#
        // Heal the storage once the first answer is in (the script waits for it).
        let state = Stack.shared.state
        let healer = Thread {
            while !FileManager.default.fileExists(atPath: state + "/run/gcs-worker.go") { usleep(20_000) }
            proxy.failAll(nil)
            _ = FileManager.default.createFile(atPath: state + "/run/gcs-worker.healed", contents: nil)
        }
        healer.start()
        let output = try Stack.shared.shell(script).output
        let answers = output.components(separatedBy: "Status: ").dropFirst()
        #expect(answers.count == 2, "\(output)")
        #expect(answers.first?.hasPrefix("502") == true, "\(output)")
        #expect(output.contains(#"{"success":false,"error":"Storage unavailable","details":"gcs-down-1"}"#))
        #expect(answers.last?.hasPrefix("200") == true, "\(output)")
        #expect(output.contains(#""isNewBucket":true"#))
        let rows = try Fixtures().rows("SELECT count(*) FROM user_bucket_mapping WHERE user_id = $1::uuid", [user])
        #expect(rows.first?[0] == "1")
    }
}
