/// Counts every storage operation by kind and outcome (`ok`, or the `StorageError` code) in
/// `userbuckets_storage_operations_total`, around any backend.
package final class CountingObjectStorage: ObjectStorage {
    private let base: any ObjectStorage
    private let counts = CounterFamily(prefix: "userbuckets_storage_operations_total{operation=\"")

    package init(_ base: any ObjectStorage) {
        self.base = base
    }

    package var backendName: String { base.backendName }

    private func counted<T>(_ operation: String, _ body: () throws(StorageError) -> T) throws(StorageError) -> T {
        do {
            let value = try body()
            counts.increment(operation + "\",outcome=\"ok")
            return value
        } catch {
            counts.increment(operation + "\",outcome=\"" + error.code.rawValue)
            throw error
        }
    }

    package func createBucket(_ name: BucketName) throws(StorageError) -> BucketCreation {
        try counted("create_bucket") { () throws(StorageError) in try base.createBucket(name) }
    }

    package func bucketExists(_ name: BucketName) throws(StorageError) -> Bool {
        try counted("bucket_exists") { () throws(StorageError) in try base.bucketExists(name) }
    }

    package func deleteBucket(_ name: BucketName) throws(StorageError) -> BucketDeletion {
        try counted("delete_bucket") { () throws(StorageError) in try base.deleteBucket(name) }
    }

    package func listBuckets(prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> BucketPage {
        try counted("list_buckets") { () throws(StorageError) in try base.listBuckets(prefix: prefix, pageToken: pageToken, maxResults: maxResults) }
    }

    package func putObject(
        _ name: ObjectName, in bucket: BucketName, contentType: String, data: [UInt8], ifAbsent: Bool
    ) throws(StorageError) -> ObjectWrite {
        try counted("put_object") { () throws(StorageError) in
            try base.putObject(name, in: bucket, contentType: contentType, data: data, ifAbsent: ifAbsent)
        }
    }

    package func putObject(
        _ name: ObjectName, in bucket: BucketName, contentType: String, from source: any ByteSource, ifAbsent: Bool
    ) throws(StorageError) -> ObjectWrite {
        try counted("put_object") { () throws(StorageError) in
            try base.putObject(name, in: bucket, contentType: contentType, from: source, ifAbsent: ifAbsent)
        }
    }

    package func readObject(
        _ name: ObjectName, in bucket: BucketName, into sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws(StorageError) -> StoredObject? {
        try counted("read_object") { () throws(StorageError) in try base.readObject(name, in: bucket, into: sink) }
    }

    package func listObjects(in bucket: BucketName, prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> ObjectPage {
        try counted("list_objects") { () throws(StorageError) in
            try base.listObjects(in: bucket, prefix: prefix, pageToken: pageToken, maxResults: maxResults)
        }
    }

    package func deleteObject(_ name: ObjectName, in bucket: BucketName) throws(StorageError) -> Bool {
        try counted("delete_object") { () throws(StorageError) in try base.deleteObject(name, in: bucket) }
    }

    package func downloadURL(for name: ObjectName, in bucket: BucketName, expiresIn: Int) throws(StorageError) -> String? {
        try counted("download_url") { () throws(StorageError) in try base.downloadURL(for: name, in: bucket, expiresIn: expiresIn) }
    }
}
