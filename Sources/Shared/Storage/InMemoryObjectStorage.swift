import Synchronization

/// Buckets in memory, for tests. `foreignNames` play buckets that someone else owns.
public final class InMemoryObjectStorage: ObjectStorage, Sendable {
    private let state: Mutex<(buckets: Set<String>, foreign: Set<String>, failing: Bool)>
    public var backendName: String { "memory" }

    public init(foreignNames: Set<String> = []) {
        state = Mutex((buckets: [], foreign: foreignNames, failing: false))
    }

    /// Makes every call fail with `.unavailable` until set back to false.
    public func setFailing(_ failing: Bool) {
        state.withLock { $0.failing = failing }
    }

    /// The buckets created so far.
    public var bucketNames: Set<String> { state.withLock { $0.buckets } }

    public func createBucket(_ name: BucketName) throws(StorageError) -> BucketCreation {
        let result: Result<BucketCreation, StorageError> = state.withLock { state in
            if state.failing { return .failure(StorageError(.unavailable, "injected failure")) }
            if state.foreign.contains(name.value) { return .failure(StorageError(.nameUnavailable, name.value)) }
            return .success(state.buckets.insert(name.value).inserted ? .created : .alreadyOwned)
        }
        return try result.get()
    }

    public func bucketExists(_ name: BucketName) throws(StorageError) -> Bool {
        let result: Result<Bool, StorageError> = state.withLock { state in
            if state.failing { return .failure(StorageError(.unavailable, "injected failure")) }
            return .success(state.buckets.contains(name.value))
        }
        return try result.get()
    }

    public func listBuckets(prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> BucketPage {
        let names = state.withLock { Array($0.buckets) }
        return BucketPage.paginate(names.filter { $0.hasPrefix(prefix) }, after: pageToken, maxResults: maxResults)
    }
}
