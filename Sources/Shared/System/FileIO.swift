#if canImport(Glibc)
    import Glibc
#endif

/// Small blocking file helpers over POSIX calls.
package enum FileIO {
    /// A file or system call failed.
    package struct Error: Swift.Error, CustomStringConvertible {
        package let operation: String
        package let path: String
        package let code: Int32
        package var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }

        package init(operation: String, path: String, code: Int32) {
            self.operation = operation
            self.path = path
            self.code = code
        }
    }

    /// The whole file at `path`.
    package static func read(path: String) throws(Error) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Error(operation: "open", path: path, code: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in POSIX.retryingInterrupts { Glibc.read(fd, buffer.baseAddress, buffer.count) } }
            if count < 0 { throw Error(operation: "read", path: path, code: errno) }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Writes `bytes` as the whole file at `path` (created or truncated, mode 0644).
    package static func write(path: String, bytes: [UInt8]) throws(Error) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Error(operation: "open", path: path, code: errno) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { POSIX.writeAll(fd, $0) }
        guard written else { throw Error(operation: "write", path: path, code: errno) }
    }

    /// Names in the directory at `path` (without `.` and `..`).
    package static func list(directory path: String) throws(Error) -> [String] {
        guard let directory = opendir(path) else { throw Error(operation: "opendir", path: path, code: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { buffer in
                String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates the directory and its parents, like `mkdir -p`.
    package static func makeDirectories(_ path: String) throws(Error) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw Error(operation: "mkdir", path: current, code: errno)
            }
        }
    }
}
