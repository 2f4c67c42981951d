import TestSupport
import Testing

@testable import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// Webhook signatures (against the manifest's vectors), authentication modes and payload
/// reading.
@Suite struct ChatwootTests {
    let manifest = try! Fixture.json("manifest.json")

    func body(_ name: String) throws -> [UInt8] {
        try Fixture.bytes("chatwoot/" + name)
    }

    @Test func manifestVectorsVerifyAndNegativesDoNot() throws {
        let signing = manifest["chatwoot_signing"]!
        let signature = ChatwootSignature(secret: signing["secret"]!.stringValue!)
        let vectors = signing["vectors"]!.objectValue!.entries
        #expect(vectors.count == 2)
        for vector in vectors {
            let bytes = try body(vector.key)
            #expect(Digest.hex(Digest.sha256(bytes)) == vector.value["body_sha256"]?.stringValue)
            let timestamp = vector.value["X-Chatwoot-Timestamp"]!.stringValue!
            let header = vector.value["X-Chatwoot-Signature"]!.stringValue!
            let now = Int(timestamp)!
            #expect(signature.sign(body: bytes, timestamp: timestamp) == header)
            #expect(throws: Never.self) { try signature.verify(body: bytes, signature: header, timestamp: timestamp, now: now + 299) }
            #expect(throws: ChatwootSignature.Failure.stale) {
                try signature.verify(body: bytes, signature: header, timestamp: timestamp, now: now + 301)
            }
            #expect(throws: ChatwootSignature.Failure.stale) {
                try signature.verify(body: bytes, signature: header, timestamp: timestamp, now: now - 301)
            }
            var changed = bytes
            changed[0] ^= 0x20
            #expect(throws: ChatwootSignature.Failure.mismatch) {
                try signature.verify(body: changed, signature: header, timestamp: timestamp, now: now)
            }
            let bodyOnly = "sha256=" + Digest.hex(Digest.hmacSHA256(key: Array("test-webhook-secret".utf8), message: bytes))
            #expect(throws: ChatwootSignature.Failure.mismatch) {
                try signature.verify(body: bytes, signature: bodyOnly, timestamp: timestamp, now: now)
            }
            #expect(throws: ChatwootSignature.Failure.missingHeaders) {
                try signature.verify(body: bytes, signature: nil, timestamp: timestamp, now: now)
            }
            #expect(throws: ChatwootSignature.Failure.malformed) {
                try signature.verify(body: bytes, signature: "md5=abc", timestamp: timestamp, now: now)
            }
            #expect(throws: ChatwootSignature.Failure.malformed) { try signature.verify(body: bytes, signature: header, timestamp: "soon", now: now) }
            // Another secret.
            #expect(throws: ChatwootSignature.Failure.mismatch) {
                try ChatwootSignature(secret: "other").verify(body: bytes, signature: header, timestamp: timestamp, now: now)
            }
        }
    }

    @Test func theFunctionRefusesToStartWithoutAuthentication() throws {
        #expect(throws: Environment.Error.self) { try WebhookAuthenticator(environment: Environment([:])) }
        #expect(throws: Environment.Error.self) { try WebhookAuthenticator(environment: Environment(["CHATWOOT_WEBHOOK_TOKEN": "short"])) }
        let open = try WebhookAuthenticator(environment: Environment(["CHATWOOT_WEBHOOK_INSECURE": "true"]))
        #expect(throws: Never.self) { try open.authenticate(Request(method: "POST", path: "/")) }
        let tokenOnly = try WebhookAuthenticator(environment: Environment(["CHATWOOT_WEBHOOK_TOKEN": "0123456789abcdef0123"]))
        #expect(throws: Never.self) { try tokenOnly.authenticate(Request(method: "POST", path: "/", query: "a=1&token=0123456789abcdef0123")) }
        #expect(throws: ServiceError.self) { try tokenOnly.authenticate(Request(method: "POST", path: "/", query: "token=0123456789abcdef0124")) }
        #expect(throws: ServiceError.self) { try tokenOnly.authenticate(Request(method: "POST", path: "/")) }
    }

    @Test func numbersAreTakenInSpecOrder() throws {
        let json = try JSONParser.parse(
            #"""
            {"event":"message_created","id":1,"account":{"id":2},
             "sender":{"id":3,"phone_number":null,"identifier":"5511911112222@s.whatsapp.net","additional_attributes":{"phone_number":"+55 11 93333-4444"}},
             "conversation":{"id":4,"channel":"Channel::Whatsapp","contact_inbox":{"source_id":"5511955556666"},
               "meta":{"sender":{"phone_number":"+5511977778888"}},"additional_attributes":{"phone_number":"+5511900001111"}}}
            """#)
        let event = try #require(try ChatwootMessageEvent.parse(json, today: "2026-11-25"))
        #expect(
            event.numberCandidates == ["+5511977778888", "5511955556666", "5511911112222@s.whatsapp.net", "+55 11 93333-4444", "+5511900001111"])
        #expect(event.contactID == "contact_3_account_2")
        #expect(event.date == "2026-11-25")
        // A source_id that is not digits, or on another channel, is no number.
        let api = try JSONParser.parse(
            #"{"event":"message_created","id":1,"account":{"id":2},"conversation":{"id":4,"channel":"Channel::Api","contact_inbox":{"source_id":"5511955556666"}}}"#
        )
        #expect(try #require(try ChatwootMessageEvent.parse(api, today: "x")).numberCandidates.isEmpty)
    }

    @Test func datesComeFromTheMessageAndFixturesParse() throws {
        #expect(ChatwootMessageEvent.date(of: .string("2026-05-22T13:00:02.204Z")) == "2026-05-22")
        #expect(ChatwootMessageEvent.date(of: .integer(1_779_454_802)) == "2026-05-22")
        #expect(ChatwootMessageEvent.date(of: .string("../../etc")) == nil)
        let voice = try #require(
            try ChatwootMessageEvent.parse(try JSONParser.parse(try body("02_message_created_incoming_audio_voice_note.json")), today: "x"))
        #expect(voice.attachments.map(\.fileType) == ["audio"])
        #expect(voice.messageType == "incoming")
        #expect(voice.numberCandidates.first == "+5521998765432")
        #expect(try ChatwootMessageEvent.parse(try JSONParser.parse(try body("10_conversation_created.json")), today: "x") == nil)
        #expect(throws: ServiceError.self) { try ChatwootMessageEvent.parse(.object(["event": .integer(1)]), today: "x") }
    }
}

/// Where attachment downloads may go, and what audio is.
@Suite struct DownloadSafetyTests {
    @Test func privateLoopbackLinkLocalAndReservedAddressesAreNotPublic() {
        for (address, isPublic) in [
            ("8.8.8.8", true), ("1.1.1.1", true), ("127.0.0.1", false), ("10.1.2.3", false), ("172.16.0.1", false), ("172.32.0.1", true),
            ("192.168.1.1", false), ("169.254.169.254", false), ("100.64.0.1", false), ("0.0.0.0", false), ("224.0.0.1", false),
            ("255.255.255.255", false),
        ] {
            let parts = address.split(separator: ".").map { UInt32($0)! }
            #expect(DownloadPolicy.isPublic(ipv4: parts.reduce(0) { $0 << 8 | $1 }) == isPublic, "\(address)")
        }
        func v6(_ groups: [UInt16]) -> [UInt8] { groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } }
        #expect(DownloadPolicy.isPublic(ipv6: v6([0x2607, 0xF8B0, 0, 0, 0, 0, 0, 0x200E])))
        #expect(!DownloadPolicy.isPublic(ipv6: v6([0, 0, 0, 0, 0, 0, 0, 1])))
        #expect(!DownloadPolicy.isPublic(ipv6: v6([0xFE80, 0, 0, 0, 0, 0, 0, 1])))
        #expect(!DownloadPolicy.isPublic(ipv6: v6([0xFD00, 0x0EC2, 0, 0, 0, 0, 0, 0x254])))
        #expect(!DownloadPolicy.isPublic(ipv6: v6([0, 0, 0, 0, 0, 0xFFFF, 0xA9FE, 0xA9FE])))  // ::ffff:169.254.169.254
        #expect(DownloadPolicy.isPublic(ipv6: v6([0, 0, 0, 0, 0, 0xFFFF, 0x0808, 0x0808])))
    }

    /// An IPv6 literal URL is fetched (its pin was malformed for curl: "Couldn't parse
    /// CURLOPT_RESOLVE entry"), from a stand-in on ::1 the policy is told to allow.
    @Test func anIPv6LiteralURLIsDownloaded() throws {
        let server = LoopbackHTTPServer(ipv6: true) { _ in .init(status: 200, body: Array("OggS voice".utf8)) }
        let downloader = AttachmentDownloader(client: CurlHTTPClient(), policy: DownloadPolicy(allowPrivateNetworks: true), timeoutMs: 5_000)
        let file = try downloader.download("http://[::1]:\(server.port)/blobs/voice.oga")
        #expect(file.bytes == Array("OggS voice".utf8))
        #expect(file.fileName == "voice.oga")
    }

    /// IPv6 forms that carry an IPv4 address are judged by that address, whatever prefix wraps it.
    @Test(arguments: [
        ("::169.254.169.254", false), ("::10.0.0.1", false), ("::127.0.0.1", false), ("::8.8.8.8", true), ("::", false), ("::1", false),
        ("::ffff:169.254.169.254", false), ("::ffff:8.8.8.8", true),
        ("::ffff:0:169.254.169.254", false), ("::ffff:0:192.168.1.1", false), ("::ffff:0:8.8.8.8", true),
        ("64:ff9b::169.254.169.254", false), ("64:ff9b::10.1.2.3", false), ("64:ff9b::8.8.8.8", true), ("64:ff9b:1::8.8.8.8", false),
        ("2002:a9fe:a9fe::1", false), ("2002:0a00:0001::1", false), ("2002:0808:0808::1", true),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", false), ("100::1", false), ("fec0::1", false), ("3fff::1", false),
        ("2607:f8b0:4004:800::200e", true),
    ])
    func embeddedIPv4IsJudgedByItself(address: String, isPublic: Bool) {
        var bytes = [UInt8](repeating: 0, count: 16)
        #expect(inet_pton(AF_INET6, address, &bytes) == 1)
        #expect(DownloadPolicy.isPublic(ipv6: bytes) == isPublic, "\(address)")
    }

    @Test func resolvedAddressesAreCheckedAndCanBeAllowed() {
        #expect(DownloadPolicy().resolve("127.0.0.1", port: 80) != .address("127.0.0.1"))
        #expect(
            DownloadPolicy().resolve("localhost", port: 80) == .refused("the host resolves to a private, loopback, link-local or reserved address"))
        #expect(DownloadPolicy().resolve("169.254.169.254", port: 80) != .address("169.254.169.254"))
        #expect(DownloadPolicy().resolve("::ffff:127.0.0.1", port: 80) != .address("[::ffff:127.0.0.1]"))
        #expect(DownloadPolicy(allowPrivateNetworks: true).resolve("127.0.0.1", port: 80) == .address("127.0.0.1"))
        #expect(DownloadPolicy(allowPrivateNetworks: true).resolve("::1", port: 80) == .address("[::1]"))
        #expect(DownloadPolicy(allowedHosts: ["localhost"]).resolve("localhost", port: 80) != .refused("no usable address"))
        #expect(DownloadPolicy.isLiteralAddress("127.0.0.1") && DownloadPolicy.isLiteralAddress("2001:db8::1"))
        #expect(!DownloadPolicy.isLiteralAddress("chatwoot.example") && !DownloadPolicy.isLiteralAddress("[::1]"))
    }

    @Test func urlsWithoutAHostOrWithCredentialsAreNotFetched() {
        #expect(ParsedURL("ftp://example.com/a") == nil)
        #expect(ParsedURL("http://user:pass@example.com/a") == nil)
        #expect(ParsedURL("http:///rails/blob") == nil)
        #expect(ParsedURL("https://example.com:8443/a")?.port == 8443)
        #expect(ParsedURL("http://[::1]:8080/a")?.host == "::1")
        #expect(ParsedURL("https://a.example/x/y")!.resolve("/z") == "https://a.example/z")
        #expect(ParsedURL("https://a.example/x/y")!.resolve("//b.example/z") == "https://b.example/z")
    }

    @Test func audioFormatsAreSniffedFromTheBytesFirst() {
        #expect(AudioFormat.detect(bytes: Array("OggS....".utf8), fileName: "voice.oga", contentType: "audio/ogg") == .ogg)
        #expect(AudioFormat.detect(bytes: Array("OggS....".utf8), fileName: "voice.mp3", contentType: nil) == .ogg)
        #expect(AudioFormat.detect(bytes: Array("ID3.....".utf8), fileName: nil, contentType: nil) == .mp3)
        #expect(AudioFormat.detect(bytes: [0, 0, 0, 0x20] + Array("ftypM4A ".utf8), fileName: nil, contentType: nil) == .m4a)
        #expect(AudioFormat.detect(bytes: Array("RIFF\0\0\0\0WAVE".utf8), fileName: nil, contentType: nil) == .wav)
        #expect(AudioFormat.detect(bytes: [1, 2, 3], fileName: "a.oga", contentType: nil) == .ogg)
        #expect(AudioFormat.detect(bytes: [1, 2, 3], fileName: nil, contentType: "audio/mpeg") == .mp3)
        #expect(AudioFormat.detect(bytes: [1, 2, 3], fileName: nil, contentType: nil) == .ogg)
    }
}

@Suite struct AudioJobPayloadTests {
    @Test func whatTheWebhookWritesTheRunnerReadsBack() throws {
        let payload = AudioJobPayload(
            accountID: 3, messageID: 42, conversationID: 238, attachmentID: 33012, dataURL: "https://chatwoot.example/blob.oga", fileSize: 9_000,
            fileExtension: "oga", bucket: BucketName("pacelane-whatsapp-contact-c1")!, userID: nil, contactID: "contact_1_account_3",
            date: "2026-05-22", recordedAt: "2026-05-22T10:00:00Z")
        #expect(AudioJobPayload(json: .object(payload.json)) == payload)
        #expect(payload.dedupeKey == "audio:3:42:33012")
        var withNote = payload.json
        withNote["meeting_note_id"] = .string("n1")
        #expect(AudioJobPayload(json: .object(withNote))?.meetingNoteID == "n1")
        withNote["bucket"] = .string("Not A Bucket")
        #expect(AudioJobPayload(json: .object(withNote)) == nil)
    }
}
