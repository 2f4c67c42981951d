/// What creating a bucket found.
package enum BucketCreation: Sendable, Equatable {
    /// This call created it.
    case created
    /// It existed already and belongs to us (GCS 409 "you already own it", an existing directory).
    case alreadyOwned
}

/// What deleting a bucket found.
package enum BucketDeletion: Sendable, Equatable {
    case deleted
    /// There was no such bucket (deleted before, or never made).
    case notFound
    /// It still holds objects: nothing was deleted.
    case notEmpty
}

/// One page of bucket names.
package struct BucketPage: Sendable, Equatable {
    package var names: [String]
    /// Pass back to get the next page; nil on the last page.
    package var nextPageToken: String?

    package init(names: [String], nextPageToken: String?) {
        self.names = names
        self.nextPageToken = nextPageToken
    }
}

/// Where buckets and objects live: the seam between our logic and a storage technology.
///
/// Implementations: `GCSObjectStorage` (Google Cloud Storage's JSON API),
/// `FileSystemObjectStorage` (a directory per bucket), `InMemoryObjectStorage` (tests). Calls
/// block.
package protocol ObjectStorage: AnyObject {
    /// The backend's name for logs and responses (`filesystem`, `gcs`, `memory`).
    var backendName: String { get }

    /// Creates `name`, or reports that it is already ours.
    /// - Throws: `StorageError.nameUnavailable` when someone else owns the name.
    func createBucket(_ name: BucketName) throws(StorageError) -> BucketCreation

    /// Whether `name` exists and is ours.
    func bucketExists(_ name: BucketName) throws(StorageError) -> Bool

    /// Deletes `name` only if it holds no objects (an object written meanwhile keeps it).
    func deleteBucket(_ name: BucketName) throws(StorageError) -> BucketDeletion

    /// Bucket names starting with `prefix`, sorted, one page at a time.
    func listBuckets(prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> BucketPage

    /// Writes an object held in memory. `ifAbsent` makes it create-only: an existing object is
    /// left alone and the answer is `.alreadyStored`.
    func putObject(
        _ name: ObjectName, in bucket: BucketName, contentType: String, data: [UInt8], ifAbsent: Bool
    ) throws(StorageError) -> ObjectWrite

    /// Writes an object read from `source` (a file or a pipe) without holding it all in memory.
    func putObject(
        _ name: ObjectName, in bucket: BucketName, contentType: String, from source: any ByteSource, ifAbsent: Bool
    ) throws(StorageError) -> ObjectWrite

    /// Streams an object's bytes to `sink` as they arrive; nil (and no bytes) when there is no
    /// such object. An error thrown by `sink` ends the read.
    func readObject(
        _ name: ObjectName, in bucket: BucketName, into sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws(StorageError) -> StoredObject?

    /// Objects whose names start with `prefix`, in name order, one page at a time.
    func listObjects(in bucket: BucketName, prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> ObjectPage

    /// Deletes an object; false when there was none (not an error).
    func deleteObject(_ name: ObjectName, in bucket: BucketName) throws(StorageError) -> Bool

    /// A URL a browser can open for `expiresIn` seconds to download the object, or nil when
    /// the backend has none (the filesystem).
    func downloadURL(for name: ObjectName, in bucket: BucketName, expiresIn: Int) throws(StorageError) -> String?
}

extension ObjectStorage {
    /// The scheme of the URIs rows record for objects here (`gs` on GCS, else the backend's name):
    /// the webhook, the audio worker, uploads and merges (whose SQL matches rows by it) agree.
    package var uriScheme: String { backendName == "gcs" ? "gs" : backendName }

    /// `gs://<bucket>/<object>` (or `filesystem://…`), as rows record an object.
    package func uri(of object: String, in bucket: String) -> String { "\(uriScheme)://\(bucket)/\(object)" }
}
