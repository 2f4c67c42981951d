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
        Response(status: status, headers: headers(jsonContentType), body: value.serializedBytes())
    }

    /// A JSON response from bytes already written (`JSONObjectWriter`).
    package static func json(bytes: [UInt8], status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: headers(jsonContentType), body: bytes)
    }

    /// A plain-text response.
    package static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: headers(HTTPHeader("Content-Type", "text/plain; charset=utf-8")), body: Array(text.utf8))
    }

    /// A `Content-Type` header in an array with room for the CORS and request-id headers the
    /// server adds to every response.
    private static func headers(_ contentType: HTTPHeader) -> [HTTPHeader] {
        var headers: [HTTPHeader] = []
        headers.reserveCapacity(8)
        headers.append(contentType)
        return headers
    }

    private static let jsonContentType = HTTPHeader.preformatted("Content-Type", "application/json")

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

    /// Hands the CGI head to `emit`: assembled in one stack buffer and handed over at once
    /// (one call into libfcgi; 1 KiB stays on the stack), or through an array when it is larger. Header values
    /// never carry CR or LF: a value from input cannot split the response.
    package func writeHead(_ emit: (UnsafeRawBufferPointer) -> Void) {
        withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 1) { buffer in
            var head = HeadBuffer(buffer)
            writeHead(to: &head)
            if head.overflowed {
                writeHeadInPieces(emit)
            } else {
                emit(UnsafeRawBufferPointer(rebasing: buffer[..<head.count]))
            }
        }
    }

    private func writeHead(to head: inout HeadBuffer) {
        head.append("Status: ")
        head.appendDecimal(status.code)
        head.append(" ")
        head.append(status.reason)
        head.append("\r\n")
        for header in headers {
            if let line = header.line {
                line.withUnsafeBytes { head.append($0) }
                continue
            }
            head.append(header.name)
            head.append(": ")
            head.appendValue(header.value)
            head.append("\r\n")
        }
        if bodyStream == nil {
            head.append("Content-Length: ")
            head.appendDecimal(body.count)
            head.append("\r\n")
        }
        head.append("\r\n")
    }

    /// A head too large for the stack buffer, written into an array.
    private func writeHeadInPieces(_ emit: (UnsafeRawBufferPointer) -> Void) {
        var bytes = [UInt8](repeating: 0, count: 64 << 10)
        let written = bytes.withUnsafeMutableBytes { buffer in
            var head = HeadBuffer(buffer)
            writeHead(to: &head)
            return head.overflowed ? nil : head.count
        }
        // Over 64 KiB of headers: not something any handler makes; the status line alone.
        guard let written else {
            var head = Array("Status: \(status.code) \(status.reason)\r\nContent-Length: \(bodyStream == nil ? body.count : 0)\r\n\r\n".utf8)
            return head.withUnsafeMutableBytes { emit(UnsafeRawBufferPointer($0)) }
        }
        bytes.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0[..<written])) }
    }
}

/// Bytes appended into a fixed buffer; past its end, `overflowed` (and nothing more is kept).
private struct HeadBuffer {
    let buffer: UnsafeMutableRawBufferPointer
    var count = 0
    var overflowed = false

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !overflowed, bytes.count <= buffer.count - count else {
            overflowed = true
            return
        }
        if bytes.count > 0 { (buffer.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        count += bytes.count
    }

    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(_ text: String) {
        if let done: Void = text.utf8.withContiguousStorageIfAvailable({ append(UnsafeRawBufferPointer($0)) }) { return done }
        var copy = text
        copy.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// A value with CR and LF turned into spaces. Bytes, not Characters: "\r\n" is one
    /// Character and would slip past a Character test.
    mutating func appendValue(_ value: String) {
        let start = count
        append(value)
        guard !overflowed else { return }
        for index in start..<count where buffer[index] == 13 || buffer[index] == 10 { buffer[index] = 32 }
    }

    mutating func appendDecimal(_ value: Int) {
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { digits in
            var remaining = value.magnitude
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            append(UnsafeRawBufferPointer(rebasing: digits[start...]))
        }
    }
}
