#if canImport(Glibc)
    import Glibc
#endif

/// `BucketMappingStore` in memory, for tests.
package final class InMemoryBucketMappingStore: BucketMappingStore, @unchecked Sendable {
    // Guarded by `mutex`.
    private var rows: [UserID: String] = [:]
    private var mutex = pthread_mutex_t()

    package init() {
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(&mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(&mutex)
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    package func bucketName(forUser userID: UserID) throws -> String? {
        locked { rows[userID] }
    }

    package func owner(ofBucket bucket: String) throws -> UserID? {
        locked { rows.first { $0.value == bucket }?.key }
    }

    package func insert(userID: UserID, bucket: String) throws {
        try locked {
            if rows[userID] != nil || rows.values.contains(bucket) {
                throw DuplicateRecord("bucket mapping")
            }
            rows[userID] = bucket
        }
    }

    package func mappings(bucketPrefix prefix: String) throws -> [(userID: UserID, bucket: String)] {
        locked { rows.filter { $0.value.hasPrefix(prefix) }.map { ($0.key, $0.value) }.sorted { $0.1 < $1.1 } }
    }
}
