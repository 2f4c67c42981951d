/// A MIME multipart request body (RFC 2046) built in memory: each part's headers and content,
/// then the closing delimiter. The OpenAI upload (`multipart/form-data`) and the GCS one-request
/// upload (`multipart/related`) are both written with it.
struct MultipartBody {
    let boundary = "userbuckets-" + RequestID.make() + RequestID.make()
    private(set) var bytes: [UInt8] = []

    /// - Parameter capacity: the content bytes expected, so the body is allocated once.
    init(capacity: Int) {
        bytes.reserveCapacity(capacity + 1024)
    }

    /// The request's `Content-Type` for a `subtype` (`form-data`, `related`).
    func contentType(_ subtype: String) -> String {
        "multipart/\(subtype); boundary=\(boundary)"
    }

    mutating func addPart(_ headers: [(name: String, value: String)], content: some Collection<UInt8>) {
        bytes.append(contentsOf: "--\(boundary)\r\n".utf8)
        for header in headers { bytes.append(contentsOf: "\(header.name): \(header.value)\r\n".utf8) }
        bytes.append(contentsOf: "\r\n".utf8)
        bytes.append(contentsOf: content)
        bytes.append(contentsOf: "\r\n".utf8)
    }

    /// The body with its closing delimiter.
    consuming func finished() -> [UInt8] {
        bytes.append(contentsOf: "--\(boundary)--\r\n".utf8)
        return bytes
    }
}
