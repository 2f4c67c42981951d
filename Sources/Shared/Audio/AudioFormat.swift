/// An audio file's real extension and media type: sniffed from its first bytes, then from its
/// name, then from the declared type. WhatsApp voice notes are Ogg/Opus named `.oga` (or
/// nothing): they are `.ogg`, which every transcription model accepts.
package struct AudioFormat: Sendable, Equatable {
    package let fileExtension: String
    package let contentType: String

    package static let ogg = AudioFormat(fileExtension: "ogg", contentType: "audio/ogg")
    package static let mp3 = AudioFormat(fileExtension: "mp3", contentType: "audio/mpeg")
    package static let m4a = AudioFormat(fileExtension: "m4a", contentType: "audio/mp4")
    package static let wav = AudioFormat(fileExtension: "wav", contentType: "audio/wav")
    package static let flac = AudioFormat(fileExtension: "flac", contentType: "audio/flac")
    package static let webm = AudioFormat(fileExtension: "webm", contentType: "audio/webm")

    package static func detect(bytes: [UInt8], fileName: String?, contentType: String?) -> AudioFormat {
        if let sniffed = sniff(bytes) { return sniffed }
        let name = (fileName ?? "").lowercased()
        let byExtension: [String: AudioFormat] = [
            "ogg": .ogg, "oga": .ogg, "opus": .ogg, "mp3": .mp3, "mpga": .mp3, "mpeg": .mp3, "m4a": .m4a, "mp4": .m4a, "aac": .m4a,
            "wav": .wav, "flac": .flac, "webm": .webm,
        ]
        if let dot = name.lastIndex(of: "."), let format = byExtension[String(name[name.index(after: dot)...])] { return format }
        let type = (contentType ?? "").lowercased()
        if type.contains("ogg") || type.contains("opus") { return .ogg }
        if type.contains("mpeg") || type.contains("mp3") { return .mp3 }
        if type.contains("mp4") || type.contains("aac") || type.contains("m4a") { return .m4a }
        if type.contains("wav") { return .wav }
        if type.contains("webm") { return .webm }
        return .ogg  // WhatsApp's own voice-note format
    }

    static func sniff(_ bytes: [UInt8]) -> AudioFormat? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && Array(bytes[offset..<(offset + prefix.count)]) == prefix
        }
        if starts(Array("OggS".utf8)) { return .ogg }
        if starts(Array("ID3".utf8)) || (bytes.count > 1 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0) { return .mp3 }
        if starts(Array("RIFF".utf8)) && starts(Array("WAVE".utf8), at: 8) { return .wav }
        if starts(Array("fLaC".utf8)) { return .flac }
        if starts(Array("ftyp".utf8), at: 4) { return .m4a }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return .webm }
        return nil
    }
}
