import Synchronization

/// Buckets and objects in memory, for tests. `foreignNames` play buckets that someone else
/// owns.
package final class InMemoryObjectStorage: ObjectStorage, Sendable {
    private struct State {
        var buckets: Set<String> = []
        var foreign: Set<String>
        var failing = false
        /// Bucket → object name → (bytes, content type).
        var objects: [String: [String: (bytes: [UInt8], contentType: String)]] = [:]
    }

    private let state: Mutex<State>
    package var backendName: String { "memory" }

    package init(foreignNames: Set<String> = []) {
        state = Mutex(State(foreign: foreignNames))
    }

    /// Makes every call fail with `.unavailable` until set back to false.
    package func setFailing(_ failing: Bool) {
        state.withLock { $0.failing = failing }
    }

    /// The buckets created so far.
    package var bucketNames: Set<String> { state.withLock { $0.buckets } }

    package func createBucket(_ name: BucketName) throws(StorageError) -> BucketCreation {
        try access { state throws(StorageError) in
            if state.foreign.contains(name.value) { throw StorageError(.nameUnavailable, name.value) }
            return state.buckets.insert(name.value).inserted ? .created : .alreadyOwned
        }
    }

    package func bucketExists(_ name: BucketName) throws(StorageError) -> Bool {
        try access { state in state.buckets.contains(name.value) }
    }

    package func deleteBucket(_ name: BucketName) throws(StorageError) -> BucketDeletion {
        try access { state in
            guard state.buckets.contains(name.value) else { return .notFound }
            if !(state.objects[name.value] ?? [:]).isEmpty { return .notEmpty }
            state.buckets.remove(name.value)
            state.objects[name.value] = nil
            return .deleted
        }
    }

    package func listBuckets(prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> BucketPage {
        let names = try access { state in Array(state.buckets) }
        return BucketPage.paginate(names.filter { $0.hasPrefix(prefix) }, after: pageToken, maxResults: maxResults)
    }

    package func putObject(
        _ name: ObjectName, in bucket: BucketName, contentType: String, data: [UInt8], ifAbsent: Bool
    ) throws(StorageError) -> ObjectWrite {
        try access { state throws(StorageError) in
            guard state.buckets.contains(bucket.value) else { throw StorageError(.notFound, "no bucket \(bucket.value)") }
            if ifAbsent, state.objects[bucket.value]?[name.value] != nil { return .alreadyStored }
            state.objects[bucket.value, default: [:]][name.value] = (data, contentType)
            return .stored(StoredObject(name: name.value, size: data.count, contentType: contentType))
        }
    }

    package func putObject(
        _ name: ObjectName, in bucket: BucketName, contentType: String, from source: any ByteSource, ifAbsent: Bool
    ) throws(StorageError) -> ObjectWrite {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count: Int
            do {
                count = try chunk.withUnsafeMutableBytes { buffer throws(FileIO.Error) in try source.read(into: buffer) }
            } catch {
                throw StorageError(.unavailable, "\(error)")
            }
            if count == 0 { break }
            data.append(contentsOf: chunk[0..<count])
        }
        return try putObject(name, in: bucket, contentType: contentType, data: data, ifAbsent: ifAbsent)
    }

    package func readObject(
        _ name: ObjectName, in bucket: BucketName, into sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws(StorageError) -> StoredObject? {
        guard let object = try access({ state in state.objects[bucket.value]?[name.value] }) else { return nil }
        do {
            try object.bytes.withUnsafeBytes { try sink($0) }
        } catch {
            throw StorageError(.unavailable, "reading \(name.value) stopped: \(error)")
        }
        return StoredObject(name: name.value, size: object.bytes.count, contentType: object.contentType)
    }

    package func listObjects(in bucket: BucketName, prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> ObjectPage {
        let objects = try access { state in state.objects[bucket.value] ?? [:] }
        let page = BucketPage.paginate(objects.keys.filter { $0.hasPrefix(prefix) }, after: pageToken, maxResults: maxResults)
        return ObjectPage(
            objects: page.names.map { StoredObject(name: $0, size: objects[$0]!.bytes.count, contentType: objects[$0]!.contentType) },
            nextPageToken: page.nextPageToken)
    }

    package func deleteObject(_ name: ObjectName, in bucket: BucketName) throws(StorageError) -> Bool {
        try access { state in state.objects[bucket.value]?.removeValue(forKey: name.value) != nil }
    }

    package func downloadURL(for name: ObjectName, in bucket: BucketName, expiresIn: Int) throws(StorageError) -> String? {
        nil
    }

    /// Runs `body` on the state under the lock, failing first when failures are injected.
    private func access<T>(_ body: (inout State) throws(StorageError) -> T) throws(StorageError) -> T {
        let result: Result<T, StorageError> = state.withLock { state in
            if state.failing { return .failure(StorageError(.unavailable, "injected failure")) }
            do throws(StorageError) {
                return .success(try body(&state))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
