import Foundation
import Shared
import Synchronization
import TestSupport
import Testing

/// `chatwoot-webhook` through nginx, the pool, PostgreSQL and the filesystem storage, with
/// deliveries signed as Chatwoot signs them.
@Suite(.onTheStack, .serialized)
struct ChatwootWebhookTests {
    let client = Stack.shared.client()
    let fixtures = Fixtures()
    let signer = ChatwootSignature(secret: Stack.shared.values["CHATWOOT_WEBHOOK_SECRET"]!)
    let path = "/functions/v1/chatwoot-webhook"

    static func fixture(_ name: String) throws -> [UInt8] {
        try FileIO.read(path: Fixture.path("chatwoot/" + name))
    }

    /// A fixture as a new message: fresh message id, and the fixture's phone replaced by `phone`
    /// (E.164) everywhere it appears.
    static func message(_ name: String, id: Int = Int.random(in: 1_000_000...999_999_999), phone: String? = nil) throws -> [UInt8] {
        var text = String(decoding: try fixture(name), as: UTF8.self)
        if let phone {
            for original in ["+5511987654321", "+5521998765432"] {
                text = text.replacing(original, with: phone).replacing(String(original.dropFirst()), with: String(phone.dropFirst()))
            }
        }
        guard case .object(var object) = try JSONParser.parse(text) else { throw FixtureError.notAnObject }
        object["id"] = .integer(id)
        return JSON.object(object).serializedBytes()
    }

    enum FixtureError: Error { case notAnObject }

    func deliver(_ body: [UInt8], timestamp: Int = Int(Date().timeIntervalSince1970), secret: ChatwootSignature? = nil, query: String = "")
        throws -> HTTPTestClient.Result
    {
        let stamp = String(timestamp)
        return try client.send(
            "POST", path + query,
            headers: [
                "Content-Type": "application/json", "X-Chatwoot-Timestamp": stamp,
                "X-Chatwoot-Signature": (secret ?? signer).sign(body: body, timestamp: stamp),
                "X-Chatwoot-Delivery": UUID().uuidString,
            ], body: body)
    }

    func notes(_ messageID: Int) throws -> [[String?]] {
        try fixtures.rows(
            "SELECT user_id, contact_identifier, content, gcs_storage_path, message_type FROM meeting_notes WHERE chatwoot_message_id = $1",
            [String(messageID)])
    }

    @Test func aProfileWrittenInTheLegacyPastedFormGetsTheMessagesOfItsNineDigitNumber() throws {
        let subscriber = String(Int.random(in: 60_000_000...89_999_999))
        let user = try fixtures.user(whatsapp: "\u{202A}0 15 21 \(subscriber.prefix(4))\u{2013}\(subscriber.suffix(4))\u{202C}")
        let id = Int.random(in: 1_000_000...999_999_999)
        let result = try deliver(try Self.message("01_message_created_incoming_text.json", id: id, phone: "+55219\(subscriber)"))
        #expect(result.status == 200, "\(result.text)")
        #expect(result.json?["userId"] == .string(user))
        #expect(try notes(id).first?[0] == user)
    }

    @Test func anIncomingTextIsStoredForItsUserOnceWithObjectAndRow() throws {
        let phone = Fixtures.randomMobile()
        let user = try fixtures.user()
        try fixtures.mapping(user, number: phone)
        let id = Int.random(in: 1_000_000...999_999_999)
        let result = try deliver(try Self.message("01_message_created_incoming_text.json", id: id, phone: phone))
        #expect(result.status == 200, "\(result.text)")
        let json = try #require(result.json)
        #expect(json["success"] == .bool(true))
        #expect(json["userId"] == .string(user))
        #expect(json["message"]?.stringValue?.hasPrefix("WhatsApp message \(id) processed and stored in bucket ") == true)
        #expect(json["whatsappNumber"]?.stringValue?.hasSuffix(String(phone.suffix(4))) == true)
        #expect(json["whatsappNumber"]?.stringValue?.contains(String(phone.dropFirst(3).prefix(6))) == false)  // masked
        let rows = try notes(id)
        #expect(rows.count == 1)
        #expect(rows.first?[0] == user)
        #expect(rows.first?[4] == "incoming")
        let bucket = try #require(json["bucketName"]?.stringValue)
        let storedPath = try #require(rows.first?[3])
        #expect(storedPath.hasPrefix("filesystem://\(bucket)/whatsapp-messages/2026-05-22/"))
        let object = Stack.shared.storageDir + "/" + bucket + "/" + storedPath.dropFirst("filesystem://\(bucket)/".count)
        let document = try JSONParser.parse(try FileIO.read(path: String(object)))
        #expect(document["webhook_payload"]?["id"]?.intValue == id)
        #expect(document["message_metadata"]?["message_id"]?.intValue == id)
        // Again: same answer, nothing new.
        let again = try deliver(try Self.message("01_message_created_incoming_text.json", id: id, phone: phone))
        #expect(again.status == 200)
        #expect(again.json?["message"]?.stringValue?.contains("already stored") == true)
        #expect(try notes(id).count == 1)
    }

    @Test func theFixturesEndAsTheManifestSays() throws {
        let manifest = try JSONParser.parse(
            try FileIO.read(path: Fixture.path("manifest.json")))
        for entry in manifest["chatwoot_cases"]?.arrayValue ?? [] {
            let file = String(entry["file"]!.stringValue!.dropFirst("chatwoot/".count))
            let id = Int.random(in: 1_000_000...999_999_999)
            let body = file.hasSuffix(".wire.json") ? try Self.fixture(file) : try Self.message(file, id: id, phone: Fixtures.randomMobile())
            let result = try deliver(body)
            #expect(result.status == 200, "\(file): \(result.text)")
            let message = result.json?["message"]?.stringValue ?? ""
            if entry["expect"]!.stringValue!.hasPrefix("store") {
                #expect(message.contains("stored in bucket"), "\(file): \(message)")
                if !file.hasSuffix(".wire.json") { #expect(try notes(id).count == 1, "\(file)") }
            } else {
                #expect(message.hasPrefix("Skipped") || message.hasPrefix("Event not applicable"), "\(file): \(message)")
                #expect(try notes(id).isEmpty, "\(file)")
            }
        }
    }

    @Test func aVoiceNoteQueuesOneAudioJobInTheSameTransaction() throws {
        let id = Int.random(in: 1_000_000...999_999_999)
        let result = try deliver(try Self.message("02_message_created_incoming_audio_voice_note.json", id: id, phone: Fixtures.randomMobile()))
        #expect(result.status == 200, "\(result.text)")
        #expect(try notes(id).first?[2] == "[Audio Message]")
        let jobs = try fixtures.rows(
            "SELECT kind, status, payload->>'attachment_id', payload->>'meeting_note_id' IS NOT NULL FROM userbuckets_jobs WHERE dedupe_key LIKE $1",
            ["audio:%:\(id):%"])
        #expect(jobs.count == 1)
        #expect(jobs.first?[0] == "audio")
        #expect(jobs.first?[2] == "33012")
        #expect(jobs.first?[3] == "t")
    }

    @Test func aMessageWithoutANumberIsStoredInTheContactBucket() throws {
        let id = Int.random(in: 1_000_000...999_999_999)
        var text = String(decoding: try Self.message("01_message_created_incoming_text.json", id: id), as: UTF8.self)
        for number in ["\"+5511987654321\"", "\"5511987654321\""] { text = text.replacing(number, with: "null") }
        // A contact never seen before (an earlier note for the fixture's contact names a user).
        guard case .object(var object) = try JSONParser.parse(text), case .object(var sender)? = object["sender"] else {
            throw FixtureError.notAnObject
        }
        sender["id"] = .integer(id)
        object["sender"] = .object(sender)
        let result = try deliver(JSON.object(object).serializedBytes())
        #expect(result.status == 200, "\(result.text)")
        #expect(result.json?["userId"] == .null)
        #expect(result.json?["bucketName"]?.stringValue?.contains("-contact-contact-") == true)
        #expect(try notes(id).count == 1)
    }

    /// Stored in the contact bucket; the number is then linked to a user; Chatwoot redelivers:
    /// the answer names the bucket it is in, and nothing is written to the user's bucket.
    @Test func aRedeliveryAfterTheNumberGotLinkedWritesNothingNew() throws {
        let phone = Fixtures.randomMobile()
        let id = Int.random(in: 1_000_000...999_999_999)
        // A sender no earlier message came from (the meeting-notes step would find its user).
        let body = Array(
            String(decoding: try Self.message("01_message_created_incoming_text.json", id: id, phone: phone), as: UTF8.self)
                .replacing("\"id\":4101", with: "\"id\":\(Int.random(in: 5_000_000...9_999_999))").utf8)
        let first = try deliver(body)
        #expect(first.status == 200)
        let contactBucket = try #require(first.json?["bucketName"]?.stringValue)
        #expect(first.json?["userId"] == .null)
        let user = try fixtures.user()
        try fixtures.mapping(user, number: phone)
        let userBucket = try #require(
            try client.post(
                "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(user)"}"#, token: Tokens.serviceRole
            ).json?["data"]?["bucketName"]?.stringValue)
        let again = try deliver(body)
        #expect(again.status == 200)
        #expect(again.json?["message"]?.stringValue?.contains("already stored in bucket \(contactBucket)") == true, "\(again.text)")
        let found = try Stack.shared.shell("find '\(Stack.shared.storageDir)/\(userBucket)' -name '\(id).json' | wc -l").output
        #expect(found.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(try notes(id).count == 1)
    }

    @Test func tenConcurrentRedeliveriesMakeOneRowAndOneObject() throws {
        let id = Int.random(in: 1_000_000...999_999_999)
        let body = try Self.message("01_message_created_incoming_text.json", id: id, phone: Fixtures.randomMobile())
        let statuses = Mutex<[Int]>([])
        let (client, signer, path) = (self.client, self.signer, self.path)
        let stamp = String(Int(Date().timeIntervalSince1970))
        let delivery = UUID().uuidString  // one delivery, repeated (Chatwoot's retries keep its id)
        runConcurrently(10) { _ in
            let status =
                (try? client.send(
                    "POST", path,
                    headers: [
                        "Content-Type": "application/json", "X-Chatwoot-Timestamp": stamp,
                        "X-Chatwoot-Signature": signer.sign(body: body, timestamp: stamp), "X-Chatwoot-Delivery": delivery,
                    ], body: body
                ).status) ?? -1
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: 10))
        let rows = try notes(id)
        #expect(rows.count == 1)
        let gate = try fixtures.rows("SELECT count(*) FROM userbuckets_chatwoot_messages WHERE message_id = $1::bigint", [String(id)])
        #expect(gate.first?[0] == "1")
        let stored = try #require(rows.first?[3])
        let directory = (stored.dropFirst("filesystem://".count).split(separator: "/").dropLast().joined(separator: "/"))
        let files = try FileIO.list(directory: Stack.shared.storageDir + "/" + directory).filter { $0.hasPrefix("\(id).") }
        #expect(files == ["\(id).json"])
    }

    @Test func updatesAndOtherMethodsDoNotStore() throws {
        let id = Int.random(in: 1_000_000...999_999_999)
        let phone = Fixtures.randomMobile()
        #expect(try deliver(try Self.message("01_message_created_incoming_text.json", id: id, phone: phone)).status == 200)
        var text = String(decoding: try Self.message("01_message_created_incoming_text.json", id: id, phone: phone), as: UTF8.self)
        text = text.replacing("\"message_created\"", with: "\"message_updated\"")
        let updated = try deliver(Array(text.utf8))
        #expect(updated.status == 200)
        #expect(updated.json?["message"]?.stringValue?.hasPrefix("Skipped message_updated") == true)
        #expect(try notes(id).count == 1)
        let get = try client.send("GET", path)
        #expect(get.status == 405)
        #expect(get.text == #"{"error":"Method not allowed"}"#)
    }

    @Test func hostilePayloadsGetClearErrors() throws {
        let deep = Array((String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)).utf8)
        #expect(try deliver(deep).status == 400)
        #expect(try deliver(Array("[]".utf8)).status == 400)
        #expect(try deliver(Array(#"{"foo":1}"#.utf8)).status == 400)
        #expect(try deliver(Array(#"{"event":"message_created","id":"x","account":{"id":1},"conversation":{"id":2}}"#.utf8)).status == 400)
        #expect(try deliver([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]).status == 400)
        let huge = Array(#"{"event":"message_created","content":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 10 << 20) + Array(#""}"#.utf8)
        let tooLarge = try deliver(huge)
        #expect(tooLarge.status == 413)
        #expect(tooLarge.json != nil)
        // Numbers where strings belong: ignored as missing, the message is still stored.
        let id = Int.random(in: 1_000_000...999_999_999)
        var text = String(decoding: try Self.message("01_message_created_incoming_text.json", id: id), as: UTF8.self)
        text = text.replacing("\"+5511987654321\"", with: "5511987654321").replacing("\"content\":\"", with: "\"content\":42,\"x\":\"")
        let odd = try deliver(Array(text.utf8))
        #expect(odd.status == 200, "\(odd.text)")
        #expect(try notes(id).count == 1)
    }

    @Test func aDatabaseOutageIs503AndWritesNothingThenTheRedeliveryStores() throws {
        let id = Int.random(in: 1_000_000...999_999_999)
        let body = try Self.message("01_message_created_incoming_text.json", id: id, phone: Fixtures.randomMobile())
        try Stack.shared.shell(#""$UB_ROOT/scripts/stack.sh" pg-stop "$UB_STATE""#)
        defer { _ = try? Stack.shared.shell(#""$UB_ROOT/scripts/stack.sh" pg-start "$UB_STATE" >/dev/null 2>&1"#) }
        let down = try deliver(body)
        #expect(down.status == 503)
        #expect(down.json?["error"] == .string("Database unavailable"))
        #expect(try Stack.shared.shell(#""$UB_ROOT/scripts/stack.sh" pg-start "$UB_STATE" >/dev/null 2>&1"#).status == 0)
        #expect(try notes(id).isEmpty)
        let objects = try Stack.shared.shell(#"find "$STORAGE_DIR" -name '\#(id).json' | wc -l"#).output
        #expect(objects.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        // Every worker reconnects; the redelivery stores it.
        var stored = false
        for _ in 0..<8 where !stored {
            stored = try deliver(body).status == 200
        }
        #expect(stored)
        #expect(try notes(id).count == 1)
    }

}
