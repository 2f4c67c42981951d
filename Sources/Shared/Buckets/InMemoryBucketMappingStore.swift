import Synchronization

/// `BucketMappingStore` in memory, for tests.
package final class InMemoryBucketMappingStore: BucketMappingStore, Sendable {
    private let rows = Mutex<[UserID: String]>([:])
    private let contacts = Mutex<[String: (bucket: String, phoneKey: String?)]>([:])

    package init() {}

    package func bucketName(forUser userID: UserID) throws -> String? {
        rows.withLock { $0[userID] }
    }

    package func owner(ofBucket bucket: String) throws -> UserID? {
        rows.withLock { $0.first { $0.value == bucket }?.key }
    }

    package func insert(userID: UserID, bucket: String) throws {
        try rows.withLock { rows throws(DuplicateRecord) in
            if rows[userID] != nil || rows.values.contains(bucket) { throw DuplicateRecord("bucket mapping") }
            rows[userID] = bucket
        }
    }

    package func mappings(bucketPrefix prefix: String) throws -> [(userID: UserID, bucket: String)] {
        rows.withLock { $0.filter { $0.value.hasPrefix(prefix) }.map { ($0.key, $0.value) }.sorted { $0.1 < $1.1 } }
    }

    package func recordContactBucket(contactID: String, bucket: String, phoneKey: String?) throws {
        contacts.withLock { $0[contactID] = (bucket, phoneKey ?? $0[contactID]?.phoneKey) }
    }

    /// The contact buckets recorded so far: contact id → bucket and phone key.
    package var contactBuckets: [String: (bucket: String, phoneKey: String?)] { contacts.withLock { $0 } }
}
