import Foundation
import Shared
import Synchronization
import TestSupport
import Testing

/// The workers' identification caches against changes made straight in the database (the web
/// app, an operator, another host): every worker of the pool sees them within 100 ms, and a
/// PostgreSQL restart leaves no stale answer behind.
@Suite(.onTheStack, .serialized)
struct IdentityCacheCoherenceTests {
    let fixtures = Fixtures()

    /// `count` identify calls for `number` at once (over many connections, so every worker of
    /// the pool answers some); the users they name.
    func identifyMany(_ number: String, count: Int = 64) throws -> [String?] {
        let answers = Mutex<[String?]>([])
        let port = Stack.shared.port
        let body = #"{"action":"identify-and-ensure-bucket","whatsappNumber":"\#(number)"}"#
        runConcurrently(count) { _ in
            let result = try? HTTPTestClient(port: port).post("user-bucket-service", json: body, token: Tokens.serviceRole)
            answers.withLock { $0.append(result?.status == 200 ? result?.json?["data"]?["userId"]?.stringValue : "failed") }
        }
        return answers.withLock { $0 }
    }

    @Test func aProfileNumberChangedInTheDatabaseIsSeenByEveryWorkerWithin100ms() throws {
        let number = Fixtures.randomMobile()
        let user = try fixtures.user()
        // Nobody has the number: every worker learns (and keeps) "nobody".
        #expect(try identifyMany(number).allSatisfy { $0 == nil })
        try fixtures.rows("UPDATE profiles SET whatsapp_number = $2 WHERE user_id = $1::uuid RETURNING 1", [user, number])
        usleep(100_000)
        let after = try identifyMany(number)
        #expect(after.allSatisfy { $0 == user }, "\(after.filter { $0 != user }.count) stale answers")
    }

    @Test func aMappingDeletedByHandIsNotServedAfterwards() throws {
        let number = Fixtures.randomMobile()
        let user = try fixtures.user()
        try fixtures.mapping(user, number: number)
        #expect(try identifyMany(number).allSatisfy { $0 == user })
        try fixtures.rows("DELETE FROM whatsapp_user_mapping WHERE user_id = $1::uuid RETURNING 1", [user])
        usleep(100_000)
        let after = try identifyMany(number)
        #expect(after.allSatisfy { $0 == nil }, "\(after.filter { $0 != nil }.count) stale answers")
    }

    /// Notifications sent while a worker's connection was down are lost to it: the lost
    /// connection flushes its cache, so a change made right after the restart is seen.
    @Test func aPostgreSQLRestartLeavesNoStaleAnswer() throws {
        let number = Fixtures.randomMobile()
        let user = try fixtures.user()
        #expect(try identifyMany(number).allSatisfy { $0 == nil })
        try Stack.shared.shell(#""$UB_ROOT/scripts/stack.sh" pg-stop "$UB_STATE""#)
        let started = try Stack.shared.shell(#""$UB_ROOT/scripts/stack.sh" pg-start "$UB_STATE" >/dev/null 2>&1"#)
        #expect(started.status == 0)
        try Fixtures().rows("UPDATE profiles SET whatsapp_number = $2 WHERE user_id = $1::uuid RETURNING 1", [user, number])
        usleep(100_000)
        let after = try identifyMany(number)
        #expect(after.allSatisfy { $0 == user }, "\(after.filter { $0 != user })")
    }

    /// A user's bucket made by a write elsewhere is picked up (the answers name that bucket).
    @Test func aBucketRowChangedElsewhereIsSeen() throws {
        let number = Fixtures.randomMobile()
        let user = try fixtures.user()
        try fixtures.mapping(user, number: number)
        // The bucket first, so every cached answer for the number carries its name.
        let ensured = try HTTPTestClient(port: Stack.shared.port).post(
            "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#, token: Tokens.serviceRole)
        #expect(ensured.status == 200)
        usleep(50_000)
        let first = try identifyMany(number, count: 32)
        #expect(first.allSatisfy { $0 == user })
        let bucket = try #require(try fixtures.rows("SELECT bucket_name FROM user_bucket_mapping WHERE user_id = $1::uuid", [user]).first?[0])
        // An operator moves the user to another (existing) bucket by hand.
        let moved = "\(Stack.shared.prefix)-moved-\(Int.random(in: 100_000...999_999))"
        try FileManager.default.createDirectory(atPath: Stack.shared.storageDir + "/" + moved, withIntermediateDirectories: true)
        try fixtures.rows("UPDATE user_bucket_mapping SET bucket_name = $2 WHERE user_id = $1::uuid RETURNING 1", [user, moved])
        usleep(100_000)
        let port = Stack.shared.port
        let names = Mutex<[String]>([])
        runConcurrently(32) { _ in
            let result = try? HTTPTestClient(port: port).post(
                "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","whatsappNumber":"\#(number)"}"#, token: Tokens.serviceRole)
            names.withLock { $0.append(result?.json?["data"]?["bucketName"]?.stringValue ?? "failed") }
        }
        #expect(names.withLock { $0 }.allSatisfy { $0 == moved }, "was \(bucket)")
    }
}
