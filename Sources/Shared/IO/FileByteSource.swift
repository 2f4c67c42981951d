#if canImport(Glibc)
    import Glibc
#endif

/// A `ByteSource` over a file descriptor: a file it opened (and closes in `deinit`), or a
/// descriptor it was lent, such as a pipe (left open).
package final class FileByteSource: ByteSource {
    private let fd: Int32
    private let owned: Bool
    private let path: String

    /// Opens `path` for reading.
    package init(path: String) throws(FileIO.Error) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIO.Error(operation: "open", path: path, code: errno) }
        self.fd = fd
        self.owned = true
        self.path = path
    }

    /// Reads a descriptor owned by someone else (not closed here).
    package init(borrowing fd: Int32) {
        self.fd = fd
        self.owned = false
        self.path = "fd \(fd)"
    }

    deinit {
        if owned { close(fd) }
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileIO.Error) -> Int {
        let count = POSIX.retryingInterrupts { Glibc.read(fd, buffer.baseAddress, buffer.count) }
        if count < 0 { throw FileIO.Error(operation: "read", path: path, code: errno) }
        return count
    }
}
