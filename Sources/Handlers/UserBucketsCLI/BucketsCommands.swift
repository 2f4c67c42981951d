import ArgumentParser
import Shared

/// Rows of `user_bucket_mapping` and buckets in storage, side by side.
struct BucketInventory {
    let rows: [(userID: String, bucket: String)]
    let buckets: [String]
    let naming: BucketNaming

    static func load(json: Bool = false) throws -> BucketInventory {
        let environment = Environment.process()
        let connection = PostgresConnection(configuration: try .init(environment: environment))
        let naming = try BucketNaming(environment: environment)
        let rows = try connection.execute(
            PreparedStatement(
                "SELECT user_id::text AS user_id, bucket_name FROM public.user_bucket_mapping WHERE starts_with(bucket_name, $1) ORDER BY bucket_name"
            ),
            [naming.prefix + "-"]
        ).records.map { ($0.string("user_id") ?? "", $0.string("bucket_name") ?? "") }
        let storage = try StorageBackend.live(environment: environment)
        var buckets: [String] = []
        var token: String?
        let progress = Progress("listing buckets", json: json)
        repeat {
            let page = try storage.listBuckets(prefix: naming.prefix + "-", pageToken: token, maxResults: 1000)
            buckets += page.names
            token = page.nextPageToken
            progress.update(buckets.count)
        } while token != nil
        progress.finish()
        return BucketInventory(rows: rows, buckets: buckets.sorted(), naming: naming)
    }

    /// User buckets are the ones rows should point at; contact buckets have no rows.
    func isContactBucket(_ name: String) -> Bool { name.hasPrefix(naming.prefix + "-contact-") }
}

/// `userbuckets list-buckets`: every bucket under the prefix with its owner.
struct ListBucketsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-buckets",
        abstract: "List the buckets under GCS_BUCKET_PREFIX in storage with the user each belongs to.",
        discussion: "One line per bucket: name, owner (from user_bucket_mapping) and kind; --json prints JSON lines.")

    @Flag(help: "JSON lines instead of text.")
    var json = false

    func run() throws {
        let inventory = try BucketInventory.load(json: json)
        let owners = Dictionary(inventory.rows.map { ($0.bucket, $0.userID) }, uniquingKeysWith: { first, _ in first })
        for bucket in inventory.buckets {
            let kind = inventory.isContactBucket(bucket) ? "contact" : "user"
            if json {
                print(JSON.object(["name": .string(bucket), "userId": owners[bucket].map(JSON.string) ?? .null, "kind": .string(kind)]).serialized())
            } else {
                print("\(bucket)\t\(owners[bucket] ?? "-")\t\(kind)")
            }
        }
    }
}

/// `userbuckets verify-mappings`: rows against storage and storage against rows.
struct VerifyMappingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-mappings",
        abstract: "Check every user_bucket_mapping row against storage and every user bucket against the rows.",
        discussion: """
            Reports dangling rows (the bucket is missing), orphan user buckets (no row), duplicates (a bucket in \
            several rows, a user with several rows) and collisions (a user's row holds another user's legacy name). \
            Exits 1 when anything is wrong.
            """)

    @Flag(help: "One JSON object instead of text.")
    var json = false

    func run() throws {
        let inventory = try BucketInventory.load(json: json)
        let inStorage = Set(inventory.buckets)
        let dangling = inventory.rows.filter { !inStorage.contains($0.bucket) }
        let mapped = Set(inventory.rows.map(\.bucket))
        let orphans = inventory.buckets.filter { !inventory.isContactBucket($0) && !mapped.contains($0) }
        let bucketCounts = Dictionary(inventory.rows.map { ($0.bucket, 1) }, uniquingKeysWith: +)
        let userCounts = Dictionary(inventory.rows.map { ($0.userID, 1) }, uniquingKeysWith: +)
        let duplicateBuckets = bucketCounts.filter { $0.value > 1 }.keys.sorted()
        let duplicateUsers = userCounts.filter { $0.value > 1 }.keys.sorted()
        let ownerOfBucket = Dictionary(inventory.rows.map { ($0.bucket, $0.userID) }, uniquingKeysWith: { first, _ in first })
        let collisions = inventory.rows.compactMap { row -> (String, String)? in
            let legacy = inventory.naming.legacyUserBucket(row.userID).value
            guard let holder = ownerOfBucket[legacy], holder != row.userID else { return nil }
            return (row.userID, holder)
        }
        let ok = dangling.isEmpty && orphans.isEmpty && duplicateBuckets.isEmpty && duplicateUsers.isEmpty
        if json {
            print(
                JSON.object([
                    "ok": .bool(ok), "rows": .integer(inventory.rows.count), "buckets": .integer(inventory.buckets.count),
                    "danglingRows": .array(dangling.map { .object(["userId": .string($0.userID), "bucketName": .string($0.bucket)]) }),
                    "orphanBuckets": .array(orphans.map(JSON.string)), "duplicateBuckets": .array(duplicateBuckets.map(JSON.string)),
                    "usersWithSeveralRows": .array(duplicateUsers.map(JSON.string)),
                    "collisions": .array(collisions.map { .object(["userId": .string($0.0), "legacyNameHeldBy": .string($0.1)]) }),
                ]).serialized())
        } else {
            print("\(inventory.rows.count) rows, \(inventory.buckets.count) buckets under \(inventory.naming.prefix)-")
            for row in dangling { print("dangling row: \(row.userID) → \(row.bucket) (no such bucket)") }
            for bucket in orphans { print("orphan bucket: \(bucket) (no row)") }
            for bucket in duplicateBuckets { print("duplicate: \(bucket) is in several rows") }
            for user in duplicateUsers { print("duplicate: \(user) has several rows") }
            for (user, holder) in collisions { print("collision (fine, handled): \(user)'s legacy name is held by \(holder)") }
            print(ok ? "ok" : "problems found")
        }
        if !ok { throw ExitCode.failure }
    }
}
