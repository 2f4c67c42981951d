/// A storage failure, by what the caller can do about it.
package struct StorageError: Error, CustomStringConvertible {
    package enum Code: String, Sendable {
        /// The bucket name belongs to someone else (GCS 409 "not available", 403 on get).
        case nameUnavailable
        case notFound
        /// The backend failed or could not be reached, also after retries; may succeed later.
        case unavailable
        /// The backend refused our credentials (a wrong key, a clock far off).
        case unauthorized
        /// The backend refused the request as invalid (a bad name, a missing permission).
        case rejected
    }

    package let code: Code
    /// Detail for the log; may name paths, never request data.
    package let detail: String

    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    package var description: String { "StorageError(\(code.rawValue)): \(detail)" }
}

#if canImport(Glibc)
    import Glibc
#endif

extension StorageError {
    /// A failed system call on a local file, with `errno`'s explanation.
    static func system(_ operation: String, _ path: String) -> StorageError {
        StorageError(.unavailable, "\(operation) \(path): \(String(cString: strerror(errno)))")
    }
}
