/// The CGI parameters nginx sends for one request, copied out of libfcgi's `envp` (whose
/// pointers die at the next accept).
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
            let pair = String(cString: entry)
            guard let equals = pair.utf8.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = pair[..<equals]
            let value = String(pair[pair.index(after: equals)...])
            if name.hasPrefix("HTTP_") {
                headers[Self.headerName(name.dropFirst(5))] = value
                continue
            }
            switch name {
            case "REQUEST_METHOD": method = value
            case "DOCUMENT_URI": documentURI = value
            case "REQUEST_URI": requestURI = value
            case "QUERY_STRING": query = value
            case "CONTENT_LENGTH": contentLength = Int(value) ?? 0
            case "CONTENT_TYPE": headers["content-type"] = value
            case "REMOTE_ADDR": remoteAddress = value
            default: break
            }
        }
        if let documentURI {
            path = documentURI
        } else if let requestURI {
            path = String(requestURI.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        }
    }

    private static func headerName(_ cgiName: Substring) -> String {
        String(cgiName.lowercased().map { $0 == "_" ? "-" : $0 })
    }
}
