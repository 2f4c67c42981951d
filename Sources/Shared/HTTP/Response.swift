/// An outbound HTTP response: status, headers in order, body bytes.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response with `Content-Type: application/json`.
    public static func json(_ value: JSON, status: HTTPStatus = .ok) -> Response {
        Response(
            status: status, headers: [("Content-Type", "application/json")], body: value.serializedBytes())
    }

    /// A plain-text response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    /// The value of the first header called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Adds a header, replacing any header of the same name.
    public mutating func setHeader(_ name: String, _ value: String) {
        let wanted = name.lowercased()
        headers.removeAll { $0.name.lowercased() == wanted }
        headers.append((name, value))
    }

    /// The CGI form FastCGI expects on stdout: `Status:` line, headers, blank line, body.
    public func cgiEncoded() -> [UInt8] {
        var head = "Status: \(status.code) \(status.reason)\r\n"
        for (name, value) in headers {
            head += "\(name): \(Self.sanitizeHeaderValue(value))\r\n"
        }
        head += "Content-Length: \(body.count)\r\n\r\n"
        var bytes = Array(head.utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    /// Header values never carry CR or LF: a value from input cannot split the response.
    private static func sanitizeHeaderValue(_ value: String) -> String {
        // Bytes, not Characters: "\r\n" is one Character and would slip past a Character test.
        guard value.utf8.contains(where: { $0 == 13 || $0 == 10 }) else { return value }
        return String(decoding: value.utf8.map { $0 == 13 || $0 == 10 ? 32 : $0 }, as: UTF8.self)
    }
}
