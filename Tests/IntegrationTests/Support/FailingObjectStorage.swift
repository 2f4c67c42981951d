import Shared
import Synchronization

/// Any backend, with the `failAt`-th call (0-based, counting every call) failing as storage
/// does when it is down — the runner stops there as if killed — and a hook before each write.
final class FailingObjectStorage: ObjectStorage {
    private let base: any ObjectStorage
    private let failAt: Int?
    private let calls = Atomic<Int>(0)
    private let beforeWrite: (ObjectName, BucketName) -> Void

    init(_ base: any ObjectStorage, failAt: Int? = nil, beforeWrite: @escaping (ObjectName, BucketName) -> Void = { _, _ in }) {
        self.base = base
        self.failAt = failAt
        self.beforeWrite = beforeWrite
    }

    /// Calls made so far (the failing one included).
    var callCount: Int { calls.load(ordering: .relaxed) }

    var backendName: String { base.backendName }

    private func call<T>(_ body: () throws(StorageError) -> T) throws(StorageError) -> T {
        let index = calls.add(1, ordering: .relaxed).oldValue
        if index == failAt { throw StorageError(.unavailable, "injected failure at call \(index)") }
        return try body()
    }

    func createBucket(_ name: BucketName) throws(StorageError) -> BucketCreation {
        try call { () throws(StorageError) in try base.createBucket(name) }
    }

    func deleteBucket(_ name: BucketName) throws(StorageError) -> BucketDeletion {
        try call { () throws(StorageError) in try base.deleteBucket(name) }
    }

    func bucketExists(_ name: BucketName) throws(StorageError) -> Bool { try call { () throws(StorageError) in try base.bucketExists(name) } }

    func listBuckets(prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> BucketPage {
        try call { () throws(StorageError) in try base.listBuckets(prefix: prefix, pageToken: pageToken, maxResults: maxResults) }
    }

    func putObject(_ name: ObjectName, in bucket: BucketName, contentType: String, data: [UInt8], ifAbsent: Bool) throws(StorageError)
        -> ObjectWrite
    {
        beforeWrite(name, bucket)
        return try call { () throws(StorageError) in try base.putObject(name, in: bucket, contentType: contentType, data: data, ifAbsent: ifAbsent) }
    }

    func putObject(
        _ name: ObjectName, in bucket: BucketName, contentType: String, from source: any ByteSource, ifAbsent: Bool
    ) throws(StorageError) -> ObjectWrite {
        beforeWrite(name, bucket)
        return try call { () throws(StorageError) in
            try base.putObject(name, in: bucket, contentType: contentType, from: source, ifAbsent: ifAbsent)
        }
    }

    func readObject(_ name: ObjectName, in bucket: BucketName, into sink: (UnsafeRawBufferPointer) throws -> Void) throws(StorageError)
        -> StoredObject?
    {
        try call { () throws(StorageError) in try base.readObject(name, in: bucket, into: sink) }
    }

    func listObjects(in bucket: BucketName, prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> ObjectPage {
        try call { () throws(StorageError) in try base.listObjects(in: bucket, prefix: prefix, pageToken: pageToken, maxResults: maxResults) }
    }

    func deleteObject(_ name: ObjectName, in bucket: BucketName) throws(StorageError) -> Bool {
        try call { () throws(StorageError) in try base.deleteObject(name, in: bucket) }
    }

    func downloadURL(for name: ObjectName, in bucket: BucketName, expiresIn: Int) throws(StorageError) -> String? {
        try call { () throws(StorageError) in try base.downloadURL(for: name, in: bucket, expiresIn: expiresIn) }
    }
}
