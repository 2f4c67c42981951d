import Shared

/// `list-buckets` (service role): buckets under the prefix joined with `user_bucket_mapping`,
/// a page at a time: orphans (a bucket without a row) and dangling rows (a row without a bucket).
struct ListBuckets {
    let core: CoreServices

    func run(_ body: JSONObject, caller: Caller) throws -> Response {
        guard caller == .serviceRole else { throw ServiceError.notAllowed(caller, "list-buckets needs the service role") }
        let limit = try body.optionalInt("limit") ?? 100
        guard (1...1000).contains(limit) else { throw ServiceError.badRequest("limit must be between 1 and 1000") }
        let pageToken = try body.optionalString("pageToken")
        let prefix = core.provisioner.naming.prefix + "-"
        let page = try ServiceError.catching { try core.provisioner.storage.listBuckets(prefix: prefix, pageToken: pageToken, maxResults: limit) }
        let rows = try ServiceError.catching { try core.mappings.mappings(bucketPrefix: prefix) }
        let owners = Dictionary(rows.map { ($0.bucket, $0.userID) }, uniquingKeysWith: { first, _ in first })
        let listed = Set(page.names)
        // Rows in this page's name range that storage did not list are dangling.
        let inRange = rows.filter { row in
            (pageToken.map { row.bucket > $0 } ?? true) && (page.nextPageToken.map { row.bucket <= $0 } ?? true)
        }
        let buckets: [JSON] = page.names.map { name in
            .object([
                "name": .string(name),
                "userId": owners[name].map { .string($0.value) } ?? .null,
                "orphan": .bool(owners[name] == nil),
            ])
        }
        let dangling: [JSON] = inRange.filter { !listed.contains($0.bucket) }.map { row in
            .object(["userId": .string(row.userID.value), "bucketName": .string(row.bucket)])
        }
        return .json(
            .object([
                "success": .bool(true),
                "data": .object([
                    "buckets": .array(buckets),
                    "danglingRows": .array(dangling),
                    "nextPageToken": page.nextPageToken.map(JSON.string) ?? .null,
                ]),
            ]))
    }
}
