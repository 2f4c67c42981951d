#if canImport(Glibc)
    import Glibc
#endif

/// A `multipart/form-data` body (RFC 7578) split into its parts without copying them: each
/// part's content is a range of the original bytes.
package struct MultipartFormData: Sendable {
    package struct Part: Sendable {
        package let name: String
        package let fileName: String?
        package let contentType: String?
        package let content: Range<Int>
    }

    package let parts: [Part]

    /// - Throws: 400 for a body that is not well-formed multipart with this boundary.
    package init(body: [UInt8], contentType: String) throws(ServiceError) {
        guard let boundary = Self.boundary(of: contentType) else { throw ServiceError.badRequest("multipart/form-data needs a boundary") }
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n--\(boundary)".utf8)
        guard var cursor = Self.find(delimiter, in: body, from: 0) else { throw ServiceError.badRequest("No multipart boundary in the body") }
        cursor += delimiter.count
        var parts: [Part] = []
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if body.count >= cursor + 2, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") { break }
            guard body.count >= cursor + 2, body[cursor] == 13, body[cursor + 1] == 10 else {
                throw ServiceError.badRequest("Malformed multipart body")
            }
            cursor += 2
            guard let headersEnd = Self.find([13, 10, 13, 10], in: body, from: cursor) else {
                throw ServiceError.badRequest("Malformed multipart part headers")
            }
            let headers = String(decoding: body[cursor..<headersEnd], as: UTF8.self)
            let contentStart = headersEnd + 4
            guard let next = Self.find(separator, in: body, from: contentStart) else {
                throw ServiceError.badRequest("Multipart body ends without its closing boundary")
            }
            guard let part = Self.part(headers: headers, content: contentStart..<next) else {
                throw ServiceError.badRequest("A multipart part has no form-data name")
            }
            parts.append(part)
            cursor = next + separator.count
        }
        self.parts = parts
    }

    /// `boundary=…` of a Content-Type, unquoted.
    static func boundary(of contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingSpaces().lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingSpaces()
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    private static func part(headers: String, content: Range<Int>) -> Part? {
        var name: String?
        var fileName: String?
        var contentType: String?
        for line in headers.split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let field = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...]
            if field == "content-type" { contentType = Substring(value).trimmingSpaces() }
            guard field == "content-disposition" else { continue }
            for parameter in value.split(separator: ";").dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                var text = pair[1].trimmingSpaces()
                if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
                switch pair[0].trimmingSpaces().lowercased() {
                case "name": name = text
                case "filename": fileName = text
                default: continue
                }
            }
        }
        guard let name else { return nil }
        return Part(name: name, fileName: fileName, contentType: contentType, content: content)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard start <= haystack.count else { return nil }
        // memchr for the first byte, memcmp for the rest (memmem is not in Glibc's module).
        return haystack.withUnsafeBytes { bytes in
            needle.withUnsafeBytes { pattern in
                var offset = start
                while bytes.count - offset >= pattern.count {
                    guard let hit = memchr(bytes.baseAddress! + offset, Int32(pattern[0]), bytes.count - offset - pattern.count + 1) else {
                        return nil
                    }
                    let position = bytes.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    if memcmp(bytes.baseAddress! + position, pattern.baseAddress!, pattern.count) == 0 { return position }
                    offset = position + 1
                }
                return nil
            }
        }
    }
}
