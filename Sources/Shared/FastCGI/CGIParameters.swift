#if canImport(Glibc)
    import Glibc
#endif

/// The CGI parameters nginx sends for one request, copied out of libfcgi's `envp` (whose
/// pointers die at the next accept).
///
/// This runs for every request, so it compares raw bytes and makes Strings only for what it
/// keeps.
struct CGIParameters {
    var method = "GET"
    var path = "/"
    var query = ""
    var contentLength = 0
    var remoteAddress = ""
    /// `HTTP_X_REQUEST_ID` → `x-request-id`; `CONTENT_TYPE` → `content-type`.
    var headers: [HTTPHeader] = []

    init(envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        guard var cursor = envp else { return }
        headers.reserveCapacity(16)
        var documentURI: String?
        var requestURI: String?
        while let entry = cursor.pointee {
            cursor += 1
            let length = strlen(entry)
            guard let equalsPointer = memchr(entry, Int32(UInt8(ascii: "=")), length) else { continue }
            let nameCount = UnsafeRawPointer(equalsPointer) - UnsafeRawPointer(entry)
            let name = UnsafeRawBufferPointer(start: entry, count: nameCount)
            let value = UnsafeBufferPointer(
                start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self) + nameCount + 1,
                count: length - nameCount - 1)
            if Self.matches(name, "HTTP_CONTENT_TYPE") || Self.matches(name, "HTTP_CONTENT_LENGTH") {
                continue  // the same as CONTENT_TYPE and CONTENT_LENGTH below
            } else if Self.matches(name, "HTTP_", prefix: true) {
                headers.append(
                    HTTPHeader(Self.headerName(UnsafeRawBufferPointer(rebasing: name[5...])), String(decoding: value, as: UTF8.self)))
            } else if Self.matches(name, "REQUEST_METHOD") {
                method = String(decoding: value, as: UTF8.self)
            } else if Self.matches(name, "DOCUMENT_URI") {
                documentURI = String(decoding: value, as: UTF8.self)
            } else if Self.matches(name, "REQUEST_URI") {
                requestURI = String(decoding: value, as: UTF8.self)
            } else if Self.matches(name, "QUERY_STRING") {
                query = String(decoding: value, as: UTF8.self)
            } else if Self.matches(name, "CONTENT_LENGTH") {
                contentLength = Self.integer(value) ?? 0
            } else if Self.matches(name, "CONTENT_TYPE") {
                headers.append(HTTPHeader("content-type", String(decoding: value, as: UTF8.self)))
            } else if Self.matches(name, "REMOTE_ADDR") {
                remoteAddress = String(decoding: value, as: UTF8.self)
            }
        }
        if let documentURI {
            path = documentURI
        } else if let requestURI {
            path = String(requestURI.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        }
    }

    /// The value of a header by its lowercased name.
    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// Whether `name` is `expected` (or starts with it, for a prefix), compared as bytes.
    private static func matches(_ name: UnsafeRawBufferPointer, _ expected: StaticString, prefix: Bool = false) -> Bool {
        let count = expected.utf8CodeUnitCount
        guard prefix ? name.count >= count : name.count == count else { return false }
        return memcmp(name.baseAddress!, expected.utf8Start, count) == 0
    }

    /// `X_REQUEST_ID` → `x-request-id`.
    private static func headerName(_ cgiName: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: cgiName.count) { buffer in
            for (index, byte) in cgiName.enumerated() {
                switch byte {
                case UInt8(ascii: "_"): buffer[index] = UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): buffer[index] = byte + 32
                default: buffer[index] = byte
                }
            }
            return cgiName.count
        }
    }

    private static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
