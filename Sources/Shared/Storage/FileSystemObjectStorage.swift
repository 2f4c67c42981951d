#if canImport(Glibc)
    import Glibc
#endif

/// Buckets as directories under one data folder: the backend for running locally.
///
/// `mkdir` is atomic, so concurrent creates of one bucket, from any process, end with one
/// directory and exactly one `.created`. Objects are files (a `/` in a name is a directory),
/// staged in `<root>/.tmp` first (`StagedFile`), flushed, then moved into place: `rename` to
/// overwrite, `link` for create-only (which fails if the name exists), so a reader never sees
/// half an object and a create-only write never replaces one. Content types are not kept (the database rows that
/// point at objects carry them).
package final class FileSystemObjectStorage: ObjectStorage, Sendable {
    package let root: String
    package var backendName: String { "filesystem" }

    /// - Parameter root: the data folder; created if missing.
    package init(root: String) throws(StorageError) {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
        do {
            try FileIO.makeDirectories(self.root + "/.tmp")
        } catch {
            throw StorageError(.unavailable, "cannot create data folder: \(error)")
        }
    }

    package func createBucket(_ name: BucketName) throws(StorageError) -> BucketCreation {
        let path = root + "/" + name.value
        if mkdir(path, 0o755) == 0 {
            try Self.syncDirectory(root)
            return .created
        }
        if errno == EEXIST { return .alreadyOwned }
        throw StorageError(.unavailable, "mkdir \(path): \(String(cString: strerror(errno)))")
    }

    package func bucketExists(_ name: BucketName) throws(StorageError) -> Bool {
        var info = stat()
        if stat(root + "/" + name.value, &info) == 0 { return (info.st_mode & S_IFMT) == S_IFDIR }
        if errno == ENOENT { return false }
        throw StorageError(.unavailable, "stat \(name.value): \(String(cString: strerror(errno)))")
    }

    /// Removes the bucket's folders bottom-up with `rmdir`, which refuses a folder that holds
    /// anything: an object written meanwhile keeps its folders and the bucket.
    package func deleteBucket(_ name: BucketName) throws(StorageError) -> BucketDeletion {
        let path = root + "/" + name.value
        guard try bucketExists(name) else { return .notFound }
        let emptied = try removeEmptyFolders(path)
        guard emptied else { return .notEmpty }
        try Self.syncDirectory(root)
        return .deleted
    }

    /// Whether `directory` (and every folder under it) was removed.
    private func removeEmptyFolders(_ directory: String) throws(StorageError) -> Bool {
        let entries: [String]
        do {
            entries = try FileIO.list(directory: directory)
        } catch {
            throw StorageError(.unavailable, "\(error)")
        }
        var empty = true
        for entry in entries {
            var info = stat()
            let path = directory + "/" + entry
            guard lstat(path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                if try !removeEmptyFolders(path) { empty = false }
            } else {
                empty = false
            }
        }
        guard empty else { return false }
        if rmdir(directory) == 0 || errno == ENOENT { return true }
        if errno == ENOTEMPTY || errno == EEXIST { return false }
        throw .system("rmdir", directory)
    }

    package func listBuckets(prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> BucketPage {
        let names: [String]
        do {
            names = try FileIO.list(directory: root)
        } catch {
            throw StorageError(.unavailable, "\(error)")
        }
        return BucketPage.paginate(
            names.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") }, after: pageToken, maxResults: maxResults)
    }

    // MARK: objects

    package func putObject(
        _ name: ObjectName, in bucket: BucketName, contentType: String, data: [UInt8], ifAbsent: Bool
    ) throws(StorageError) -> ObjectWrite {
        // Straight from the caller's bytes: no staging buffer (a webhook's object is a few KiB).
        try place(name, in: bucket, contentType: contentType, ifAbsent: ifAbsent) { file throws(StorageError) in
            let outcome = data.withUnsafeBytes { bytes in Result { () throws(StorageError) in try file.write(bytes) } }
            try outcome.get()
            return data.count
        }
    }

    package func putObject(
        _ name: ObjectName, in bucket: BucketName, contentType: String, from source: any ByteSource, ifAbsent: Bool
    ) throws(StorageError) -> ObjectWrite {
        try place(name, in: bucket, contentType: contentType, ifAbsent: ifAbsent) { file throws(StorageError) in
            try Self.copy(from: source, to: file)
        }
    }

    /// Stages a new object (`fill` writes its bytes and returns their count), flushes it, and
    /// moves it into place.
    private func place(
        _ name: ObjectName, in bucket: BucketName, contentType: String, ifAbsent: Bool,
        fill: (StagedFile) throws(StorageError) -> Int
    ) throws(StorageError) -> ObjectWrite {
        let destination = path(of: name, in: bucket)
        let file = try StagedFile(in: root + "/.tmp", anonymous: ifAbsent)
        let size = try fill(file)
        // Into place, then flushed: on a journaling file system (ext4, XFS, btrfs) the flush
        // after the link commits the new name together with the data — and any folder made for
        // it — with one flush, where flushing first would leave the name to the next journal
        // commit. (ext4 without a journal flushes no names this way; see the README.) Folders are
        // made only when missing (most writes go to existing ones), never the bucket itself.
        for attempt in 0..<2 {
            if ifAbsent ? file.link(to: destination) : file.rename(to: destination) {
                do {
                    try file.sync()
                } catch {
                    // Not on disk: take the name back (it is ours), so a retry writes it again.
                    if ifAbsent { unlink(destination) }
                    throw error
                }
                return .stored(StoredObject(name: name.value, size: size, contentType: contentType))
            }
            if ifAbsent && errno == EEXIST { return .alreadyStored }
            guard errno == ENOENT, attempt == 0 else { throw .system(ifAbsent ? "link" : "rename", destination) }
            guard try bucketExists(bucket) else { throw StorageError(.notFound, "no bucket \(bucket.value)") }
            var folder = root + "/" + bucket.value
            for component in name.value.split(separator: "/").dropLast() {
                folder += "/" + component
                if mkdir(folder, 0o755) != 0 && errno != EEXIST { throw .system("mkdir", folder) }
            }
        }
        throw .system(ifAbsent ? "link" : "rename", destination)
    }

    package func readObject(
        _ name: ObjectName, in bucket: BucketName, into sink: (UnsafeRawBufferPointer) throws -> Void
    ) throws(StorageError) -> StoredObject? {
        let path = path(of: name, in: bucket)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR || errno == EISDIR { return nil }
            throw StorageError.system("open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StorageError.system("fstat", path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { bytes in POSIX.retryingInterrupts { read(fd, bytes.baseAddress, bytes.count) } }
            if count < 0 { throw StorageError.system("read", path) }
            if count == 0 { break }
            do {
                try buffer.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            } catch {
                throw StorageError(.unavailable, "reading \(name.value) stopped: \(error)")
            }
        }
        return StoredObject(name: name.value, size: Int(info.st_size))
    }

    package func listObjects(in bucket: BucketName, prefix: String, pageToken: String?, maxResults: Int) throws(StorageError) -> ObjectPage {
        guard try bucketExists(bucket) else { throw StorageError(.notFound, "no bucket \(bucket.value)") }
        var names: [String] = []
        try collect(directory: root + "/" + bucket.value, relative: "", into: &names)
        let page = BucketPage.paginate(names.filter { $0.hasPrefix(prefix) }, after: pageToken, maxResults: maxResults)
        var objects: [StoredObject] = []
        for name in page.names {
            let path = root + "/" + bucket.value + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { continue }  // deleted meanwhile
            objects.append(StoredObject(name: name, size: Int(info.st_size)))
        }
        return ObjectPage(objects: objects, nextPageToken: page.nextPageToken)
    }

    package func deleteObject(_ name: ObjectName, in bucket: BucketName) throws(StorageError) -> Bool {
        let path = path(of: name, in: bucket)
        if unlink(path) == 0 { return true }
        if errno == ENOENT || errno == ENOTDIR { return false }
        throw StorageError.system("unlink", path)
    }

    package func downloadURL(for name: ObjectName, in bucket: BucketName, expiresIn: Int) throws(StorageError) -> String? {
        nil
    }

    private func path(of name: ObjectName, in bucket: BucketName) -> String {
        root + "/" + bucket.value + "/" + name.value
    }

    /// Regular files under `directory`, as names relative to the bucket.
    private func collect(directory: String, relative: String, into names: inout [String]) throws(StorageError) {
        let entries: [String]
        do {
            entries = try FileIO.list(directory: directory)
        } catch {
            throw StorageError(.unavailable, "\(error)")
        }
        for entry in entries {
            let path = directory + "/" + entry
            let name = relative.isEmpty ? entry : relative + "/" + entry
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: try collect(directory: path, relative: name, into: &names)
            case S_IFREG: names.append(name)
            default: continue
            }
        }
    }

    /// Flushes a folder's entries (a new name is durable only once its folder is).
    private static func syncDirectory(_ path: String) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .system("open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .system("fsync", path) }
    }

    /// Copies `source` into `file` a chunk at a time; returns the byte count.
    private static func copy(from source: any ByteSource, to file: StagedFile) throws(StorageError) -> Int {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var size = 0
        while true {
            let count: Int
            do {
                count = try source.readFully(into: buffer)
            } catch {
                throw StorageError(.unavailable, "reading the upload: \(error)")
            }
            if count == 0 { break }
            try file.write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            size += count
        }
        return size
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
