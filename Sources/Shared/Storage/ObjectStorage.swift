/// What creating a bucket found.
public enum BucketCreation: Sendable, Equatable {
    /// This call created it.
    case created
    /// It existed already and belongs to us (GCS 409 "you already own it", an existing directory).
    case alreadyOwned
}

/// One page of bucket names.
public struct BucketPage: Sendable, Equatable {
    public var names: [String]
    /// Pass back to get the next page; nil on the last page.
    public var nextPageToken: String?

    public init(names: [String], nextPageToken: String?) {
        self.names = names
        self.nextPageToken = nextPageToken
    }
}

/// Where buckets live: the seam between bucket logic and a storage technology.
///
/// Implementations: `FileSystemObjectStorage` (a directory per bucket), `InMemoryObjectStorage`
/// (tests). Calls block.
public protocol ObjectStorage: AnyObject {
    /// The backend's name for logs and responses (`filesystem`, `gcs`, `memory`).
    var backendName: String { get }

    /// Creates `name`, or reports that it is already ours.
    /// - Throws: `StorageError.nameUnavailable` when someone else owns the name.
    func createBucket(_ name: BucketName) throws(StorageError) -> BucketCreation

    /// Whether `name` exists and is ours.
    func bucketExists(_ name: BucketName) throws(StorageError) -> Bool

    /// Bucket names starting with `prefix`, sorted, one page at a time.
    func listBuckets(prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> BucketPage
}
