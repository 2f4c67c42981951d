/// Which files the knowledge base takes: an allow-list of extensions, each checked against the
/// bytes' magic numbers (a `.pdf` must start `%PDF-`), executables refused whatever their name.
/// A name without an extension (`buffer-processor`'s `file_<id>_<n>`) is typed by its bytes.
package enum FileTypePolicy {
    package enum Verdict: Equatable, Sendable {
        /// The file's type: its extension (the name's, or the one its bytes show) and media type.
        case accepted(fileExtension: String, contentType: String)
        case refused(String)
    }

    package static func check(name: String, bytes: ArraySlice<UInt8>) -> Verdict {
        if starts(bytes, [0x7F, 0x45, 0x4C, 0x46]) || starts(bytes, Array("MZ".utf8)) || starts(bytes, Array("#!".utf8)) {
            return .refused("executables are not accepted")
        }
        var ext = fileExtension(of: name)
        if ext.isEmpty {
            guard let sniffed = sniff(bytes) else { return .refused("the file has no extension and its content is of no accepted type") }
            ext = sniffed
        }
        guard let rule = rules[ext] else { return .refused("files of type .\(ext) are not accepted") }
        guard rule.matches(bytes) else { return .refused("the file's content is not a .\(ext) file") }
        return .accepted(fileExtension: ext, contentType: rule.contentType)
    }

    /// The extension the bytes' magic numbers show, for a name without one; nil when they show
    /// no accepted type (a zip that is no Office document, a legacy Office file).
    package static func sniff(_ bytes: ArraySlice<UInt8>) -> String? {
        for ext in ["pdf", "png", "jpg", "gif", "webp", "avi", "webm", "rtf"] where rules[ext]!.matches(bytes) { return ext }
        if let audio = AudioFormat.sniff(Array(bytes.prefix(16))), audio != .m4a, audio != .webm { return audio.fileExtension }
        if isoMedia(bytes) {
            let brand = bytes.dropFirst(8).prefix(4)
            if brand.elementsEqual("M4A ".utf8) { return "m4a" }
            return brand.elementsEqual("qt  ".utf8) ? "mov" : "mp4"
        }
        if zip(bytes) {
            // An Office document names its main part in the zip's (uncompressed) directory.
            for (part, ext) in [("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("ppt/presentation.xml", "pptx")]
            where contains(bytes, Array(part.utf8)) {
                return ext
            }
            return nil
        }
        if svg(bytes) { return "svg" }
        if text(bytes) {
            let first = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "["), (try? JSONParser.parse(Array(bytes))) != nil { return "json" }
            return "txt"
        }
        return nil
    }

    /// The media type a stored file is served with (`stream`, preview links).
    package static func contentType(ofExtension ext: String) -> String {
        rules[ext]?.contentType ?? "application/octet-stream"
    }

    /// The original's extension map (`ORIGINAL.md` §8.2), which `content` answers with: callers
    /// compare these values.
    package static func originalContentType(ofExtension ext: String) -> String {
        switch ext {
        case "txt": "text/plain"
        case "md": "text/markdown"
        case "csv": "text/csv"
        case "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "rtf", "json": rules[ext]!.contentType
        default: "application/octet-stream"
        }
    }

    /// Whether `content` may decode it as text.
    package static func isText(extension ext: String) -> Bool {
        ["txt", "md", "csv", "json"].contains(ext)
    }

    /// Whether a file of this type may script a page that opens it inline: served only as an
    /// attachment, sandboxed.
    package static func isActive(extension ext: String) -> Bool {
        ext == "svg"
    }

    /// The original `list` type: image, video, audio or file.
    package static func kind(ofName name: String) -> String {
        switch fileExtension(of: name) {
        case "png", "jpg", "jpeg", "gif", "webp", "svg": "image"
        case "mp4", "avi", "mov", "webm", "mkv": "video"
        case "mp3", "wav", "ogg", "m4a", "flac": "audio"
        default: "file"
        }
    }

    package static func fileExtension(of name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    struct Rule: Sendable {
        let contentType: String
        let matches: @Sendable (ArraySlice<UInt8>) -> Bool
    }

    static func starts(_ bytes: ArraySlice<UInt8>, _ prefix: [UInt8], at offset: Int = 0) -> Bool {
        let from = bytes.startIndex + offset
        return bytes.count >= offset + prefix.count && bytes[from..<(from + prefix.count)].elementsEqual(prefix)
    }

    private static func magic(_ prefix: String, at offset: Int = 0) -> @Sendable (ArraySlice<UInt8>) -> Bool {
        { starts($0, Array(prefix.utf8), at: offset) }
    }

    /// UTF-8 without NUL bytes, judged on the first 64 KiB (a sequence cut at the end of the
    /// sample is fine).
    private static func text(_ bytes: ArraySlice<UInt8>) -> Bool {
        let sample = bytes.prefix(64 << 10)
        guard !sample.contains(0) else { return false }
        if String(validating: sample, as: UTF8.self) != nil { return true }
        return (1...3).contains { String(validating: sample.dropLast($0), as: UTF8.self) != nil }
    }

    private static func contains(_ bytes: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var index = bytes.startIndex
        let last = bytes.endIndex - needle.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }

    /// SVG: text whose first markup (after an XML declaration, comments or a doctype) is `<svg`.
    private static func svg(_ bytes: ArraySlice<UInt8>) -> Bool {
        let head = bytes.prefix(4096)
        guard text(head), let start = String(validating: head, as: UTF8.self) ?? String(validating: head.dropLast(3), as: UTF8.self)
        else { return false }
        var rest = Substring(start.drop { $0 == "\u{FEFF}" || $0.isWhitespace })
        while rest.hasPrefix("<?") || rest.hasPrefix("<!") {
            guard let end = rest.firstIndex(of: ">") else { return false }
            rest = rest[rest.index(after: end)...].drop { $0.isWhitespace }
        }
        return rest.hasPrefix("<svg")
    }

    private static let zip: @Sendable (ArraySlice<UInt8>) -> Bool = { starts($0, [0x50, 0x4B, 0x03, 0x04]) }
    private static let ole: @Sendable (ArraySlice<UInt8>) -> Bool = { starts($0, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) }
    private static let isoMedia: @Sendable (ArraySlice<UInt8>) -> Bool = { starts($0, Array("ftyp".utf8), at: 4) }

    static let rules: [String: Rule] = [
        "pdf": Rule(contentType: "application/pdf", matches: magic("%PDF-")),
        "docx": Rule(contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", matches: zip),
        "xlsx": Rule(contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", matches: zip),
        "pptx": Rule(contentType: "application/vnd.openxmlformats-officedocument.presentationml.presentation", matches: zip),
        "doc": Rule(contentType: "application/msword", matches: ole),
        "xls": Rule(contentType: "application/vnd.ms-excel", matches: ole),
        "ppt": Rule(contentType: "application/vnd.ms-powerpoint", matches: ole),
        "rtf": Rule(contentType: "application/rtf", matches: magic("{\\rtf")),
        "txt": Rule(contentType: "text/plain; charset=utf-8", matches: { text($0) }),
        "md": Rule(contentType: "text/markdown; charset=utf-8", matches: { text($0) }),
        "csv": Rule(contentType: "text/csv; charset=utf-8", matches: { text($0) }),
        "json": Rule(contentType: "application/json", matches: { text($0) }),
        "png": Rule(contentType: "image/png", matches: { starts($0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) }),
        "jpg": Rule(contentType: "image/jpeg", matches: { starts($0, [0xFF, 0xD8, 0xFF]) }),
        "jpeg": Rule(contentType: "image/jpeg", matches: { starts($0, [0xFF, 0xD8, 0xFF]) }),
        "gif": Rule(contentType: "image/gif", matches: magic("GIF8")),
        "webp": Rule(contentType: "image/webp", matches: { starts($0, Array("RIFF".utf8)) && starts($0, Array("WEBP".utf8), at: 8) }),
        "mp3": Rule(contentType: "audio/mpeg", matches: { AudioFormat.sniff(Array($0.prefix(16))) == .mp3 }),
        "wav": Rule(contentType: "audio/wav", matches: { AudioFormat.sniff(Array($0.prefix(16))) == .wav }),
        "ogg": Rule(contentType: "audio/ogg", matches: { AudioFormat.sniff(Array($0.prefix(16))) == .ogg }),
        "flac": Rule(contentType: "audio/flac", matches: { AudioFormat.sniff(Array($0.prefix(16))) == .flac }),
        "m4a": Rule(contentType: "audio/mp4", matches: isoMedia),
        "mp4": Rule(contentType: "video/mp4", matches: isoMedia),
        "mov": Rule(contentType: "video/quicktime", matches: isoMedia),
        "webm": Rule(contentType: "video/webm", matches: { starts($0, [0x1A, 0x45, 0xDF, 0xA3]) }),
        "avi": Rule(contentType: "video/x-msvideo", matches: { starts($0, Array("RIFF".utf8)) && starts($0, Array("AVI ".utf8), at: 8) }),
        "svg": Rule(contentType: "image/svg+xml", matches: { svg($0) }),
    ]
}
