import Testing

@testable import Shared

/// Preview links, file types and the multipart parser of the knowledge base.
@Suite struct KnowledgeTests {
    @Test func previewLinksExpireAndRefuseAnyChange() {
        let links = PreviewLink(secret: Array("secret".utf8))
        let token = links.token(userID: "u1", fileID: "f1", expires: 1000)
        #expect(links.verify(token, now: 999)?.fileID == "f1")
        #expect(links.verify(token, now: 1000)?.userID == "u1")
        #expect(links.verify(token, now: 1001) == nil)
        for changed in [
            token.replacing("u1.", with: "u2."), token.replacing(".f1.", with: ".f2."), token.replacing(".1000.", with: ".9999."), token + "x",
            "a.b.c",
        ] {
            #expect(links.verify(changed, now: 0) == nil, "\(changed)")
        }
        #expect(PreviewLink(secret: Array("other".utf8)).verify(token, now: 0) == nil)
    }

    /// A signature is accepted in its one canonical spelling: not padded, no stray low bits in
    /// its last character (both decode to the same bytes).
    @Test func previewLinksAcceptOnlyTheCanonicalSignature() {
        let links = PreviewLink(secret: Array("secret".utf8))
        let token = links.token(userID: "u1", fileID: "f1", expires: 1000)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        let last = alphabet.firstIndex(of: token.last!)!
        let strayBits = String(token.dropLast()) + String(alphabet[last ^ 1])
        #expect(Base64URL.decode(strayBits.split(separator: ".").last!) == Base64URL.decode(token.split(separator: ".").last!))
        #expect(links.verify(strayBits, now: 0) == nil)
        #expect(links.verify(token + "=", now: 0) == nil)
        #expect(links.verify(token, now: 0) != nil)
    }

    @Test func typesAreCheckedAgainstTheBytes() {
        func check(_ name: String, _ bytes: [UInt8]) -> FileTypePolicy.Verdict { FileTypePolicy.check(name: name, bytes: bytes[...]) }
        #expect(check("a.pdf", Array("%PDF-1.4".utf8)) == .accepted(fileExtension: "pdf", contentType: "application/pdf"))
        #expect(check("a.PNG", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .accepted(fileExtension: "png", contentType: "image/png"))
        #expect(check("a.png", Array("%PDF-1.4".utf8)) == .refused("the file's content is not a .png file"))
        #expect(check("a.txt", [0x61, 0, 0x62]) == .refused("the file's content is not a .txt file"))
        #expect(check("run.sh", Array("#!/bin/sh".utf8)) == .refused("executables are not accepted"))
        #expect(check("a.exe", Array("hello".utf8)) == .refused("files of type .exe are not accepted"))
        #expect(FileTypePolicy.kind(ofName: "x.JPG") == "image")
        #expect(FileTypePolicy.kind(ofName: "x.ogg") == "audio")
    }

    /// The web app accepts .svg and .avi: so do we, each checked against its bytes.
    @Test func svgAndAviAreAcceptedWhenTheirBytesSaySo() {
        let svg = Array(#"<?xml version="1.0"?><!-- drawn --><!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg"/>"#.utf8)
        #expect(FileTypePolicy.check(name: "logo.SVG", bytes: svg[...]) == .accepted(fileExtension: "svg", contentType: "image/svg+xml"))
        #expect(
            FileTypePolicy.check(name: "logo.svg", bytes: Array("<html><svg/></html>".utf8)[...])
                != .accepted(fileExtension: "svg", contentType: "image/svg+xml"))
        let avi = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("AVI LIST".utf8)
        #expect(FileTypePolicy.check(name: "clip.avi", bytes: avi[...]) == .accepted(fileExtension: "avi", contentType: "video/x-msvideo"))
        #expect(FileTypePolicy.isActive(extension: "svg"))
        #expect(FileTypePolicy.kind(ofName: "clip.avi") == "video")
    }

    /// `buffer-processor` names documents `file_<id>_<n>`: their bytes decide the type, and a
    /// name without an extension whose bytes show nothing accepted is refused.
    @Test func aNameWithoutAnExtensionIsTypedByItsBytes() {
        let zipHeader: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        let cases: [(bytes: [UInt8], ext: String?)] = [
            (Array("%PDF-1.7\n".utf8), "pdf"), ([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "jpg"),
            ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0], "png"), (Array("GIF89a".utf8), "gif"),
            (Array("RIFF\0\0\0\0WEBPVP8 ".utf8), "webp"), (Array("RIFF\0\0\0\0WAVEfmt ".utf8), "wav"),
            (Array("RIFF\0\0\0\0AVI LIST".utf8), "avi"), (Array("OggS\0\u{2}".utf8), "ogg"), (Array("ID3\u{3}\0".utf8), "mp3"),
            (Array("fLaC\0\0".utf8), "flac"), ([0, 0, 0, 0x20] + Array("ftypM4A \0\0".utf8), "m4a"),
            ([0, 0, 0, 0x20] + Array("ftypisom\0\0".utf8), "mp4"), ([0, 0, 0, 0x14] + Array("ftypqt  \0\0".utf8), "mov"),
            ([0x1A, 0x45, 0xDF, 0xA3, 0x01], "webm"), (zipHeader + Array("\0\0word/document.xml".utf8), "docx"),
            (zipHeader + Array("\0\0xl/workbook.xml".utf8), "xlsx"), (zipHeader + Array("\0\0ppt/presentation.xml".utf8), "pptx"),
            (zipHeader + Array("\0\0readme.txt".utf8), nil), (Array(#"{"a": [1, 2]}"#.utf8), "json"), (Array("[1, 2".utf8), "txt"),
            (Array("Olá, notas da reunião".utf8), "txt"), (Array("<svg xmlns='http://www.w3.org/2000/svg'/>".utf8), "svg"),
            (Array("{\\rtf1 hello}".utf8), "rtf"), ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], nil), ([0, 1, 2, 3], nil),
            (Array("MZ\u{90}".utf8), nil),
        ]
        for (bytes, ext) in cases {
            let verdict = FileTypePolicy.check(name: "file_123_1", bytes: bytes[...])
            if let ext {
                #expect(verdict == .accepted(fileExtension: ext, contentType: FileTypePolicy.contentType(ofExtension: ext)), "\(ext)")
            } else if case .accepted = verdict {
                Issue.record("accepted \(bytes.prefix(8)) as \(verdict)")
            }
        }
    }

    /// `content` answers with the original's map values, which callers compare.
    @Test func contentTypesAreTheOriginalMapValues() {
        let expected = [
            "txt": "text/plain", "md": "text/markdown", "csv": "text/csv", "json": "application/json", "pdf": "application/pdf",
            "rtf": "application/rtf", "png": "application/octet-stream", "svg": "application/octet-stream", "": "application/octet-stream",
        ]
        for (ext, type) in expected { #expect(FileTypePolicy.originalContentType(ofExtension: ext) == type, "\(ext)") }
        #expect(FileTypePolicy.contentType(ofExtension: "txt") == "text/plain; charset=utf-8")
    }

    /// The original's cleaning: whitespace runs become one space, control characters go, the
    /// ends are trimmed.
    @Test func extractedTextIsCleanedAsTheOriginalDid() {
        #expect(ExtractedText.clean("  Quarterly\tplan:\n\n launch\u{0}\u{7} in\u{00A0}March.\r\n") == "Quarterly plan: launch in March.")
        #expect(ExtractedText.clean("\u{1B}[31mred\u{85}") == "[31mred")
        #expect(ExtractedText.clean("\n\t ") == "")
        #expect(ExtractedText.placeholder(fileName: "a.pdf") == "[Unable to extract meaningful content from a.pdf]")
    }

    @Test func multipartBodiesSplitWithoutCopies() throws {
        let body = Array(
            "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-\r\n--XyZ\r\nContent-Disposition: form-data; name=\"userId\"\r\n\r\nu1\r\n--XyZ--\r\n"
                .utf8)
        let form = try MultipartFormData(body: body, contentType: "multipart/form-data; boundary=\"XyZ\"")
        #expect(form.parts.map(\.name) == ["file", "userId"])
        #expect(form.parts[0].fileName == "a b.pdf")
        #expect(form.parts[0].contentType == "application/pdf")
        #expect(Array(body[form.parts[0].content]) == Array("%PDF-".utf8))
        #expect(Array(body[form.parts[1].content]) == Array("u1".utf8))
        #expect(throws: ServiceError.self) { try MultipartFormData(body: body, contentType: "multipart/form-data") }
        #expect(throws: ServiceError.self) { try MultipartFormData(body: Array(body.dropLast(9)), contentType: "multipart/form-data; boundary=XyZ") }
    }
}
