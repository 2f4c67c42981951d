/// An outbound HTTP response: status, headers in order, body bytes.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: [HTTPHeader]
    public var body: [UInt8]
    /// When set, the body is streamed from it instead of `body` (which is then ignored).
    public var bodyStream: ResponseBodyStream?

    public init(status: HTTPStatus, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response with `Content-Type: application/json`.
    public static func json(_ value: JSON, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: headers("application/json"), body: value.serializedBytes())
    }

    /// A plain-text response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: headers("text/plain; charset=utf-8"), body: Array(text.utf8))
    }

    /// A `Content-Type` header in an array with room for the CORS and request-id headers the
    /// server adds to every response.
    private static func headers(_ contentType: String) -> [HTTPHeader] {
        var headers: [HTTPHeader] = []
        headers.reserveCapacity(8)
        headers.append(HTTPHeader("Content-Type", contentType))
        return headers
    }

    /// The value of the first header called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.isNamed(name) }?.value
    }

    /// Adds a header, replacing any header of the same name.
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.isNamed(name) }
        headers.append(HTTPHeader(name, value))
    }

    /// The CGI form FastCGI expects on stdout: `Status:` line, headers, blank line, body.
    public func cgiEncoded() -> [UInt8] {
        cgiHead() + body
    }

    /// The CGI form without the body: `Status:` line, headers, `Content-Length`, blank line.
    public func cgiHead() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        bytes.appendUTF8("Status: ")
        bytes.appendUTF8(String(status.code))  // a small string: no allocation
        bytes.append(UInt8(ascii: " "))
        bytes.appendUTF8(status.reason)
        bytes.appendUTF8("\r\n")
        for header in headers {
            bytes.appendUTF8(header.name)
            bytes.appendUTF8(": ")
            let valueStart = bytes.count
            bytes.appendUTF8(header.value)
            // Values never carry CR or LF: a value from input cannot split the response.
            // Bytes, not Characters: "\r\n" is one Character and would slip past a Character test.
            for index in valueStart..<bytes.count where bytes[index] == 13 || bytes[index] == 10 { bytes[index] = 32 }
            bytes.appendUTF8("\r\n")
        }
        if bodyStream == nil {
            bytes.appendUTF8("Content-Length: ")
            bytes.appendUTF8(String(body.count))
            bytes.appendUTF8("\r\n")
        }
        bytes.appendUTF8("\r\n")
        return bytes
    }
}
