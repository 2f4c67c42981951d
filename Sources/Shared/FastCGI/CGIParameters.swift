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
    var headers: [String: String] = [:]

    init(envp: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        guard var cursor = envp else { return }
        var documentURI: String?
        var requestURI: String?
        while let entry = cursor.pointee {
            cursor += 1
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: strlen(entry))
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = UnsafeBufferPointer(rebasing: bytes[..<equals])
            let value = UnsafeBufferPointer(rebasing: bytes[(equals + 1)...])
            if name.starts(with: Self.httpPrefix) {
                headers[Self.headerName(UnsafeBufferPointer(rebasing: name[5...]))] = String(decoding: value, as: UTF8.self)
                continue
            }
            switch name.count {
            case 14 where name.elementsEqual(Self.requestMethod): method = String(decoding: value, as: UTF8.self)
            case 12 where name.elementsEqual(Self.documentURI): documentURI = String(decoding: value, as: UTF8.self)
            case 11 where name.elementsEqual(Self.requestURI): requestURI = String(decoding: value, as: UTF8.self)
            case 12 where name.elementsEqual(Self.queryString): query = String(decoding: value, as: UTF8.self)
            case 14 where name.elementsEqual(Self.contentLengthName): contentLength = Self.integer(value) ?? 0
            case 12 where name.elementsEqual(Self.contentType): headers["content-type"] = String(decoding: value, as: UTF8.self)
            case 11 where name.elementsEqual(Self.remoteAddr): remoteAddress = String(decoding: value, as: UTF8.self)
            default: break
            }
        }
        if let documentURI {
            path = documentURI
        } else if let requestURI {
            path = String(requestURI.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        }
    }

    private static let httpPrefix = Array("HTTP_".utf8)
    private static let requestMethod = Array("REQUEST_METHOD".utf8)
    private static let documentURI = Array("DOCUMENT_URI".utf8)
    private static let requestURI = Array("REQUEST_URI".utf8)
    private static let queryString = Array("QUERY_STRING".utf8)
    private static let contentLengthName = Array("CONTENT_LENGTH".utf8)
    private static let contentType = Array("CONTENT_TYPE".utf8)
    private static let remoteAddr = Array("REMOTE_ADDR".utf8)

    /// `X_REQUEST_ID` → `x-request-id`.
    private static func headerName(_ cgiName: UnsafeBufferPointer<UInt8>) -> String {
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
