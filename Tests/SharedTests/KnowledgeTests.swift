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
        #expect(FileTypePolicy.check(name: "a.pdf", bytes: Array("%PDF-1.4".utf8)[...]) == .accepted(contentType: "application/pdf"))
        #expect(
            FileTypePolicy.check(name: "a.PNG", bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0][...])
                == .accepted(contentType: "image/png"))
        #expect(FileTypePolicy.check(name: "a.png", bytes: Array("%PDF-1.4".utf8)[...]) != .accepted(contentType: "image/png"))
        #expect(FileTypePolicy.check(name: "a.txt", bytes: [0x61, 0, 0x62][...]) != .accepted(contentType: "text/plain; charset=utf-8"))
        #expect(FileTypePolicy.check(name: "run.sh", bytes: Array("#!/bin/sh".utf8)[...]) == .refused("executables are not accepted"))
        #expect(FileTypePolicy.check(name: "noextension", bytes: Array("x".utf8)[...]) == .refused("files of type .(none) are not accepted"))
        #expect(FileTypePolicy.kind(ofName: "x.JPG") == "image")
        #expect(FileTypePolicy.kind(ofName: "x.ogg") == "audio")
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
