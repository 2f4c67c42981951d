#if canImport(Glibc)
    import Glibc
#endif

/// A new file being written before it gets its name: an object is staged here, flushed, and only
/// then linked (create-only) or renamed (overwrite) into place, so no reader ever sees half of one.
///
/// For a create-only write it is an anonymous file (`O_TMPFILE`): it has no name until `link`
/// gives it its one, so there is no temporary name to make and remove, and nothing is left behind
/// if the process dies. Where the file system cannot (or for an overwrite, which needs a name to
/// rename, or without /proc) it is a uniquely named file in `directory`, removed when this is freed.
final class StagedFile {
    let descriptor: Int32
    /// The temporary name, or nil for an anonymous file.
    private let temporaryPath: String?
    /// For error messages.
    let label: String

    /// `O_TMPFILE`: `__O_TMPFILE | O_DIRECTORY` (not imported from the C headers; the same on
    /// every Linux architecture Swift runs on).
    private static let anonymousFlag: Int32 = 0o20000000 | O_DIRECTORY
    /// An anonymous file is linked through /proc (`AT_EMPTY_PATH` would need a capability).
    private static let canLinkAnonymous = access("/proc/self/fd", X_OK) == 0

    init(in directory: String, anonymous: Bool) throws(StorageError) {
        if anonymous && Self.canLinkAnonymous {
            let fd = open(directory, Self.anonymousFlag | O_WRONLY | O_CLOEXEC, 0o644)
            if fd >= 0 {
                descriptor = fd
                temporaryPath = nil
                label = directory + "/(anonymous)"
                return
            }
            // EOPNOTSUPP, EISDIR or EINVAL: a file system or kernel without O_TMPFILE.
        }
        let path = directory + "/" + RequestID.make() + RequestID.make()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageError.system("open", path) }
        descriptor = fd
        temporaryPath = path
        label = path
    }

    deinit {
        close(descriptor)
        if let temporaryPath { unlink(temporaryPath) }  // after link/rename it is only a second name
    }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        guard POSIX.writeAll(descriptor, bytes) else { throw StorageError.system("write", label) }
    }

    /// Flushes the contents to disk.
    func sync() throws(StorageError) {
        guard fsync(descriptor) == 0 else { throw StorageError.system("fsync", label) }
    }

    /// Gives the file the name `destination` if nothing has it: true if linked, false with
    /// `errno` set otherwise (EEXIST: the name is taken).
    func link(to destination: String) -> Bool {
        if let temporaryPath { return Glibc.link(temporaryPath, destination) == 0 }
        return linkat(AT_FDCWD, "/proc/self/fd/\(descriptor)", AT_FDCWD, destination, AT_SYMLINK_FOLLOW) == 0
    }

    /// Moves the file to `destination`, replacing what is there: true if moved, false with
    /// `errno` set otherwise. Only a named file can be renamed.
    func rename(to destination: String) -> Bool {
        guard let temporaryPath else {
            errno = EINVAL
            return false
        }
        return Glibc.rename(temporaryPath, destination) == 0
    }
}
