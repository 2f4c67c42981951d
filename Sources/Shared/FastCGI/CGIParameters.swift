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
            // By the name's length first: one comparison, not one per name.
            switch nameCount {
            case 14 where Self.matches(name, "REQUEST_METHOD"):
                method = Self.known(value, Self.methods) ?? String(decoding: value, as: UTF8.self)
            case 14 where Self.matches(name, "CONTENT_LENGTH"):
                contentLength = Self.integer(value) ?? 0
            case 12 where Self.matches(name, "DOCUMENT_URI"):
                documentURI = Self.known(value, Self.routes) ?? String(decoding: value, as: UTF8.self)
            case 12 where Self.matches(name, "QUERY_STRING"):
                if !value.isEmpty { query = String(decoding: value, as: UTF8.self) }
            case 12 where Self.matches(name, "CONTENT_TYPE"):
                headers.append(HTTPHeader("content-type", Self.known(value, Self.contentTypes) ?? String(decoding: value, as: UTF8.self)))
            case 11 where Self.matches(name, "REMOTE_ADDR"):
                remoteAddress = String(decoding: value, as: UTF8.self)
            case 11 where Self.matches(name, "REQUEST_URI"):
                requestURI = String(decoding: value, as: UTF8.self)
            case 6... where Self.matches(name, "HTTP_", prefix: true):
                // Only the headers the functions read become Strings (a browser sends a dozen
                // more: User-Agent, Accept, Cookie …, each one an allocation for nothing).
                guard let header = Self.readHeader(UnsafeRawBufferPointer(rebasing: name[5...])) else { continue }
                headers.append(HTTPHeader(header, String(decoding: value, as: UTF8.self)))
            default:
                continue
            }
        }
        if let documentURI {
            path = documentURI
        } else if let requestURI {
            path = String(requestURI.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        }
    }

    /// The request headers any function reads (`Request.header`), by their CGI names: the only
    /// ones nginx passes (nginx/locations.conf, `fastcgi_pass_request_headers off`); a new one
    /// goes in both places.
    private static let readHeaders: [(cgi: StaticString, name: String)] = [
        ("AUTHORIZATION", "authorization"), ("APIKEY", "apikey"), ("ORIGIN", "origin"), ("X_REQUEST_ID", "x-request-id"),
        ("X_CHATWOOT_SIGNATURE", "x-chatwoot-signature"), ("X_CHATWOOT_TIMESTAMP", "x-chatwoot-timestamp"),
        ("X_CHATWOOT_DELIVERY", "x-chatwoot-delivery"),
    ]

    /// The methods and content types callers send: one of them costs no allocation.
    private static let methods = ["POST", "GET", "OPTIONS"]
    private static let contentTypes = ["application/json"]

    /// The function routes: a path that is one of them costs no allocation.
    private static let routes = [
        "/functions/v1/user-bucket-service", "/functions/v1/create-user-bucket", "/functions/v1/chatwoot-webhook",
        "/functions/v1/knowledge-base-storage",
    ]

    /// The header's name when a function reads it, else nil (skipped).
    private static func readHeader(_ cgiName: UnsafeRawBufferPointer) -> String? {
        for header in readHeaders where matches(cgiName, header.cgi) { return header.name }
        return nil
    }

    /// One of `candidates` (a String that already exists) when the bytes are it.
    private static func known(_ value: UnsafeBufferPointer<UInt8>, _ candidates: [String]) -> String? {
        for candidate in candidates where candidate.utf8.count == value.count {
            let same = candidate.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, value.baseAddress!, value.count) == 0 }
            if same == true { return candidate }
        }
        return nil
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
