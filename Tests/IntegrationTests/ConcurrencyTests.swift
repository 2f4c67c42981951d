import Foundation
import Shared
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Ensure-exactly-once across processes: many first calls at once, through nginx and the pool.
@Suite(.onTheStack, .serialized)
struct ConcurrencyTests {
    let client = Stack.shared.client()
    let fixtures = Fixtures()

    @Test func sixtyFourFirstCallsForOneUserMakeOneBucket() throws {
        let user = try fixtures.user()
        let results = Mutex<[HTTPTestClient.Result]>([])
        let client = self.client
        runConcurrently(64) { _ in
            if let result = try? client.post(
                "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#, token: Tokens.serviceRole)
            {
                results.withLock { $0.append(result) }
            }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 64)
        #expect(all.allSatisfy { $0.status == 200 })
        let names = Set(all.compactMap { $0.json?["data"]?["bucketName"]?.stringValue })
        #expect(names.count == 1)
        #expect(all.filter { $0.json?["data"]?["isNewBucket"] == .bool(true) }.count == 1)
        let rows = try fixtures.rows("SELECT count(*) FROM user_bucket_mapping WHERE user_id = $1::uuid", [user])
        #expect(rows.first?[0] == "1")
        let name = try #require(names.first)
        #expect(FileManager.default.fileExists(atPath: Stack.shared.storageDir + "/" + name))
    }

    /// Two users whose original (Java-hash) bucket names are the same, first calls for both at
    /// once: one gets the legacy name, the other the fallback, nobody a 503 (the second one's
    /// mapping insert used to break the name's unique index).
    @Test func twoUsersWithOneLegacyNameAtOnceGetTwoBuckets() throws {
        let users = ["23c21eff-8934-5d42-8d77-3110eabcf4fc", "ed2f68cb-4be6-59cf-8809-a1ecf19248a0"]
        let naming = try BucketNaming(prefix: Stack.shared.prefix)
        #expect(naming.legacyUserBucket(users[0]) == naming.legacyUserBucket(users[1]))
        for user in users {
            _ = try fixtures.rows("INSERT INTO auth.users (id) VALUES ($1::uuid) ON CONFLICT DO NOTHING RETURNING 1", [user])
            _ = try fixtures.rows("DELETE FROM user_bucket_mapping WHERE user_id = $1::uuid RETURNING 1", [user])
        }
        let results = Mutex<[(user: String, result: HTTPTestClient.Result?)]>([])
        let client = self.client
        runConcurrently(32) { index in
            let user = users[index % 2]
            let result = try? client.post(
                "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#, token: Tokens.serviceRole)
            results.withLock { $0.append((user, result)) }
        }
        let all = results.withLock { $0 }
        #expect(all.allSatisfy { $0.result?.status == 200 }, "\(all.compactMap { $0.result?.text }.filter { !$0.contains("true") })")
        var bucketOf: [String: Set<String>] = [:]
        for (user, result) in all { bucketOf[user, default: []].insert(result?.json?["data"]?["bucketName"]?.stringValue ?? "") }
        #expect(bucketOf.values.allSatisfy { $0.count == 1 })
        #expect(Set(bucketOf.values.flatMap { $0 }).count == 2)
        #expect(bucketOf.values.flatMap { $0 }.contains(naming.legacyUserBucket(users[0]).value))
    }

    @Test func twoHundredUsersAtOnceEachGetOneBucket() throws {
        let users = try (0..<200).map { _ in try fixtures.user() }
        let results = Mutex<[(user: String, result: HTTPTestClient.Result)]>([])
        let client = self.client
        // Two concurrent first calls per user, 400 requests in flight together.
        runConcurrently(400) { index in
            let user = users[index % 200]
            if let result = try? client.post(
                "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#, token: Tokens.serviceRole)
            {
                results.withLock { $0.append((user, result)) }
            }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 400)
        #expect(all.allSatisfy { $0.result.status == 200 })
        for user in users {
            let mine = all.filter { $0.user == user }
            #expect(Set(mine.compactMap { $0.result.json?["data"]?["bucketName"]?.stringValue }).count == 1)
            #expect(mine.filter { $0.result.json?["data"]?["isNewBucket"] == .bool(true) }.count == 1)
        }
        let list = "{" + users.joined(separator: ",") + "}"
        let rows = try fixtures.rows(
            "SELECT count(*), count(DISTINCT bucket_name) FROM user_bucket_mapping WHERE user_id = ANY($1::uuid[])", [list])
        #expect(rows.first?[0] == "200")
        #expect(rows.first?[1] == "200")
    }

    @Test func concurrentFirstCallsForOneContactMakeOneBucket() throws {
        let contact = "contact_\(Int.random(in: 1...9_999_999))_account_1"
        let results = Mutex<[HTTPTestClient.Result]>([])
        let client = self.client
        runConcurrently(32) { _ in
            if let result = try? client.post(
                "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","contactId":"\#(contact)"}"#,
                token: Tokens.serviceRole)
            {
                results.withLock { $0.append(result) }
            }
        }
        let all = results.withLock { $0 }
        #expect(all.count == 32 && all.allSatisfy { $0.status == 200 })
        #expect(all.filter { $0.json?["data"]?["isNewBucket"] == .bool(true) }.count == 1)
    }
}
