/// Which files the knowledge base takes: an allow-list of extensions, each checked against the
/// bytes' magic numbers (a `.pdf` must start `%PDF-`), executables refused whatever their name.
package enum FileTypePolicy {
    package enum Verdict: Equatable, Sendable {
        case accepted(contentType: String)
        case refused(String)
    }

    package static func check(name: String, bytes: ArraySlice<UInt8>) -> Verdict {
        if starts(bytes, [0x7F, 0x45, 0x4C, 0x46]) || starts(bytes, Array("MZ".utf8)) || starts(bytes, Array("#!".utf8)) {
            return .refused("executables are not accepted")
        }
        let ext = fileExtension(of: name)
        guard let rule = rules[ext] else { return .refused("files of type .\(ext.isEmpty ? "(none)" : ext) are not accepted") }
        guard rule.matches(bytes) else { return .refused("the file's content is not a .\(ext) file") }
        return .accepted(contentType: rule.contentType)
    }

    /// The media type a stored file is served with.
    package static func contentType(ofName name: String) -> String {
        rules[fileExtension(of: name)]?.contentType ?? "application/octet-stream"
    }

    /// Whether `content` may decode it as text.
    package static func isText(name: String) -> Bool {
        ["txt", "md", "csv", "json"].contains(fileExtension(of: name))
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

    static func fileExtension(of name: String) -> String {
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
    ]
}
