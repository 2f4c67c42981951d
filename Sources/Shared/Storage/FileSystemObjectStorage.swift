#if canImport(Glibc)
    import Glibc
#endif

/// Buckets as directories under one data folder: the backend for running locally.
///
/// `mkdir` is atomic, so concurrent creates of one bucket, from any process, end with one
/// directory and exactly one `.created`.
public final class FileSystemObjectStorage: ObjectStorage {
    public let root: String
    public var backendName: String { "filesystem" }

    /// - Parameter root: the data folder; created if missing.
    public init(root: String) throws(StorageError) {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
        do {
            try FileIO.makeDirectories(self.root)
        } catch {
            throw StorageError(.unavailable, "cannot create data folder: \(error)")
        }
    }

    public func createBucket(_ name: BucketName) throws(StorageError) -> BucketCreation {
        let path = root + "/" + name.value
        if mkdir(path, 0o755) == 0 { return .created }
        if errno == EEXIST { return .alreadyOwned }
        throw StorageError(.unavailable, "mkdir \(path): \(String(cString: strerror(errno)))")
    }

    public func bucketExists(_ name: BucketName) throws(StorageError) -> Bool {
        var info = stat()
        if stat(root + "/" + name.value, &info) == 0 { return (info.st_mode & S_IFMT) == S_IFDIR }
        if errno == ENOENT { return false }
        throw StorageError(.unavailable, "stat \(name.value): \(String(cString: strerror(errno)))")
    }

    public func listBuckets(prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> BucketPage {
        let names: [String]
        do {
            names = try FileIO.list(directory: root)
        } catch {
            throw StorageError(.unavailable, "\(error)")
        }
        return BucketPage.paginate(names.filter { $0.hasPrefix(prefix) }, after: pageToken, maxResults: maxResults)
    }
}

extension BucketPage {
    /// One page of `names` (sorted here) after the name `pageToken`.
    static func paginate(_ names: [String], after pageToken: String?, maxResults: Int) -> BucketPage {
        let sorted = names.sorted()
        let remaining = pageToken.map { token in sorted.filter { $0 > token } } ?? sorted
        let page = Array(remaining.prefix(max(1, maxResults)))
        let next = remaining.count > page.count ? page.last : nil
        return BucketPage(names: page, nextPageToken: next)
    }
}
