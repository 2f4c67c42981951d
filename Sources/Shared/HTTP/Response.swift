/// An outbound HTTP response: status, headers in order, body bytes.
package struct Response: Sendable {
    package var status: HTTPStatus
    package var headers: [HTTPHeader]
    package var body: [UInt8]
    /// When set, the body is streamed from it instead of `body` (which is then ignored).
    package var bodyStream: ResponseBodyStream?

    package init(status: HTTPStatus, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response with `Content-Type: application/json`.
    package static func json(_ value: JSON, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: headers("application/json"), body: value.serializedBytes())
    }

    /// A plain-text response.
    package static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
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
    package func header(_ name: String) -> String? {
        headers.first { $0.isNamed(name) }?.value
    }

    /// Adds a header, replacing any header of the same name.
    package mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.isNamed(name) }
        headers.append(HTTPHeader(name, value))
    }

    /// The CGI form FastCGI expects on stdout: `Status:` line, headers, blank line, body.
    package func cgiEncoded() -> [UInt8] {
        cgiHead() + body
    }

    /// The CGI form without the body: `Status:` line, headers, `Content-Length`, blank line.
    package func cgiHead() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        writeHead { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Hands the CGI head to `emit` piece by piece, in order (the server passes the pieces
    /// straight to libfcgi's buffer: no array is built). Header values never carry CR or LF: a
    /// value from input cannot split the response.
    package func writeHead(_ emit: (UnsafeRawBufferPointer) -> Void) {
        Self.emit("Status: ", emit)
        Self.emitDecimal(status.code, emit)
        Self.emit(" ", emit)
        Self.emit(status.reason, emit)
        Self.emit("\r\n", emit)
        for header in headers {
            Self.emit(header.name, emit)
            Self.emit(": ", emit)
            Self.emitValue(header.value, emit)
            Self.emit("\r\n", emit)
        }
        if bodyStream == nil {
            Self.emit("Content-Length: ", emit)
            Self.emitDecimal(body.count, emit)
            Self.emit("\r\n", emit)
        }
        Self.emit("\r\n", emit)
    }

    private static func emit(_ text: StaticString, _ emit: (UnsafeRawBufferPointer) -> Void) {
        emit(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func emit(_ text: String, _ emit: (UnsafeRawBufferPointer) -> Void) {
        var text = text
        text.withUTF8 { emit(UnsafeRawBufferPointer($0)) }
    }

    /// A value as is, or with CR and LF turned into spaces. Bytes, not Characters: "\r\n" is
    /// one Character and would slip past a Character test.
    private static func emitValue(_ value: String, _ emit: (UnsafeRawBufferPointer) -> Void) {
        var value = value
        value.withUTF8 { bytes in
            guard bytes.contains(where: { $0 == 13 || $0 == 10 }) else { return emit(UnsafeRawBufferPointer(bytes)) }
            let cleaned = bytes.map { $0 == 13 || $0 == 10 ? 32 : $0 }
            cleaned.withUnsafeBytes(emit)
        }
    }

    private static func emitDecimal(_ value: Int, _ emit: (UnsafeRawBufferPointer) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var remaining = value.magnitude
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            emit(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: digits[start...])))
        }
    }
}
