import Foundation
import Shared
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Dependencies failing: a worker killed under load, PostgreSQL down and restarted, storage
/// failing. The answer is a clear status, nothing is half-written, service comes back.
@Suite(.onTheStack, .serialized)
struct ResilienceTests {
    let client = Stack.shared.client()
    let fixtures = Fixtures()

    @Test func aKilledWorkerIsRestartedAndNginxKeepsAnswering() throws {
        let users = try (0..<20).map { _ in try fixtures.user() }
        let before = try Stack.shared.workers(of: "user-bucket-service")
        #expect(before.count >= 2)
        let statuses = Mutex<[Int]>([])
        let client = self.client
        let stop = Atomic<Bool>(false)
        // Four clients loop over the users while one worker is killed.
        let done = Atomic<Int>(0)
        for thread in 0..<4 {
            Thread.detachNewThread {
                var index = thread
                while !stop.load(ordering: .relaxed) {
                    let user = users[index % users.count]
                    index += 4
                    let status =
                        (try? client.post(
                            "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#,
                            token: Tokens.serviceRole
                        ).status) ?? -1
                    statuses.withLock { $0.append(status) }
                }
                done.add(1, ordering: .relaxed)
            }
        }
        usleep(300_000)
        kill(before[0], SIGKILL)
        usleep(700_000)
        stop.store(true, ordering: .relaxed)
        while done.load(ordering: .relaxed) < 4 { usleep(10_000) }
        let all = statuses.withLock { $0 }
        let failures = all.filter { $0 != 200 }
        #expect(all.count > 50)
        // At most the one request the killed worker held can fail.
        #expect(failures.count <= 1, "statuses: \(failures)")
        var after: [Int32] = []
        for _ in 0..<50 {
            after = try Stack.shared.workers(of: "user-bucket-service")
            if after.count == before.count && !after.contains(before[0]) { break }
            usleep(100_000)
        }
        #expect(after.count == before.count)
        #expect(!after.contains(before[0]))
        for user in users.prefix(8) {
            let result = try client.post(
                "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#, token: Tokens.serviceRole)
            #expect(result.status == 200)
        }
    }

    /// One slot killed 20 times in 10 s (multiwatch used to give a slot up after 3 quick deaths,
    /// and the whole pool when none was left): the full pool comes back and answers, and the
    /// crash loop was said at error level and counted.
    @Test func aSlotKilledTwentyTimesInTenSecondsComesBack() throws {
        let function = "create-user-bucket"
        let size = Int(Stack.shared.values["UB_WORKERS"] ?? "") ?? 4
        var killed: Set<Int32> = []
        for _ in 0..<20 {
            // The newest worker: the slot that keeps being restarted.
            if let newest = try Stack.shared.workers(of: function).max() {
                kill(newest, SIGKILL)
                killed.insert(newest)
            }
            usleep(500_000)
        }
        var workers: [Int32] = []
        for _ in 0..<100 {
            workers = try Stack.shared.workers(of: function)
            if workers.count == size { break }
            usleep(100_000)
        }
        #expect(workers.count == size, "\(workers)")
        #expect(killed.isDisjoint(with: workers))
        // Answering with every worker: more requests than workers, one after another.
        let user = try fixtures.user()
        for _ in 0..<(size * 3) {
            let result = try client.post(function, json: #"{"userId":"\#(user)"}"#, token: Tokens.serviceRole)
            #expect(result.status == 200, "\(result.text)")
        }
        let log = try String(contentsOfFile: "\(Stack.shared.state)/log/\(function).log", encoding: .utf8)
        #expect(log.contains(#""level":"error""#) && log.contains("workers keep dying"))
        let scrape = try client.send("GET", "/functions/v1/_metrics").text
        #expect(scrape.contains("userbuckets_worker_restart_delays_total{function=\"\(function)\"}"))
    }

    @Test func databaseDownIs503AndARestartHeals() throws {
        let user = try fixtures.user()
        let number = Fixtures.randomMobile()
        let warm = try client.post(
            "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#, token: Tokens.serviceRole)
        #expect(warm.status == 200)
        try Stack.shared.shell(#""$UB_ROOT/scripts/stack.sh" pg-stop "$UB_STATE""#)
        defer {
            _ = try? Stack.shared.shell(
                #""$UB_ROOT/scripts/stack.sh" pg-start "$UB_STATE" >/dev/null 2>&1"#)
        }
        let down = try client.post(
            "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","whatsappNumber":"\#(number)"}"#,
            token: Tokens.serviceRole, headers: ["X-Request-Id": "db-down-1"])
        #expect(down.status == 503)
        #expect(down.text == #"{"success":false,"error":"Database unavailable","details":"db-down-1"}"#)
        let restart = try Stack.shared.shell(
            #""$UB_ROOT/scripts/stack.sh" pg-start "$UB_STATE" >/dev/null 2>&1"#)
        #expect(restart.status == 0)
        // Every worker had a connection that died with the server; each reconnects.
        for _ in 0..<12 {
            let result = try client.post(
                "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#, token: Tokens.serviceRole)
            #expect(result.status == 200)
        }
        let log = try String(contentsOfFile: Stack.shared.state + "/log/user-bucket-service.log", encoding: .utf8)
        #expect(!log.contains(String(number.dropFirst())))
    }

    @Test func storageFailureIs502AndWritesNoRow() throws {
        let user = try fixtures.user()
        let root = Stack.shared.storageDir
        let aside = root + ".aside"
        // A file where the data folder was: every mkdir under it fails.
        try FileManager.default.moveItem(atPath: root, toPath: aside)
        _ = FileManager.default.createFile(atPath: root, contents: Data("not a folder".utf8))
        var restored = false
        defer {
            if !restored {
                try? FileManager.default.removeItem(atPath: root)
                try? FileManager.default.moveItem(atPath: aside, toPath: root)
            }
        }
        let failed = try client.post(
            "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#, token: Tokens.serviceRole,
            headers: ["X-Request-Id": "storage-down-1"])
        #expect(failed.status == 502)
        #expect(failed.text == #"{"success":false,"error":"Storage unavailable","details":"storage-down-1"}"#)
        let legacy = try fixtures.user()
        let legacyResult = try client.post("create-user-bucket", json: #"{"userId":"\#(legacy)"}"#, token: Tokens.serviceRole)
        #expect(legacyResult.status == 400)
        #expect(legacyResult.text == #"{"success":false,"error":"Failed to create bucket"}"#)
        let rows = try fixtures.rows(
            "SELECT count(*) FROM user_bucket_mapping WHERE user_id = ANY($1::uuid[])", ["{\(user),\(legacy)}"])
        #expect(rows.first?[0] == "0")
        try FileManager.default.removeItem(atPath: root)
        try FileManager.default.moveItem(atPath: aside, toPath: root)
        restored = true
        let healed = try client.post(
            "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#, token: Tokens.serviceRole)
        #expect(healed.status == 200)
        #expect(healed.json?["data"]?["isNewBucket"] == .bool(true))
    }
}
