import Foundation
import Shared
import Synchronization
import TestSupport
import Testing

/// Today's callers of the webhook besides Chatwoot: `chatwoot-webhook-v2`'s fallback (the
/// service-role bearer, no signature) and the operator's `reprocess_audio`; and the
/// `conversations` upsert for messages of known users.
extension ChatwootWebhookTests {
    /// `message(...)` in conversation `conversation`, from Chatwoot contact `sender` when given.
    static func message(_ name: String, id: Int, phone: String, conversation: Int, sender: Int? = nil) throws -> [UInt8] {
        guard case .object(var object) = try JSONParser.parse(try message(name, id: id, phone: phone)),
            case .object(var thread)? = object["conversation"], case .object(var contact)? = object["sender"]
        else { throw FixtureError.notAnObject }
        thread["id"] = .integer(conversation)
        object["conversation"] = .object(thread)
        if let sender {
            contact["id"] = .integer(sender)
            object["sender"] = .object(contact)
        }
        return JSON.object(object).serializedBytes()
    }

    /// A POST with a bearer token and no signature.
    func post(_ body: [UInt8], token: String) throws -> HTTPTestClient.Result {
        try client.send("POST", path, headers: ["Content-Type": "application/json", "Authorization": "Bearer \(token)"], body: body)
    }

    @Test func theServiceRoleBearerIsEnoughAndNoOtherTokenIs() throws {
        let phone = Fixtures.randomMobile()
        let user = try fixtures.user()
        try fixtures.mapping(user, number: phone)
        let id = Int.random(in: 1_000_000...999_999_999)
        let body = try Self.message("01_message_created_incoming_text.json", id: id, phone: phone)
        for token in [
            Tokens.anon, Tokens.user(user),
            Tokens.sign(#"{"role":"service_role","exp":4102444800}"#, secret: "not-the-secret-of-this-project-at-all"), "garbage",
        ] {
            let refused = try post(body, token: token)
            #expect(refused.status == 401, "\(refused.text)")
        }
        #expect(try notes(id).isEmpty)
        let accepted = try post(body, token: Tokens.serviceRole)
        #expect(accepted.status == 200, "\(accepted.text)")
        #expect(accepted.json?["userId"] == .string(user))
        #expect(try notes(id).count == 1)
    }

    func conversations(_ conversation: Int) throws -> [[String?]] {
        try fixtures.rows("SELECT user_id FROM conversations WHERE chatwoot_conversation_id = $1::int", [String(conversation)])
    }

    @Test func aKnownUsersConversationIsOneRowHoweverManyMessagesRace() throws {
        let phone = Fixtures.randomMobile()
        let user = try fixtures.user()
        try fixtures.mapping(user, number: phone)
        let conversation = Int.random(in: 1_000_000...2_000_000_000)
        let bodies = try (0..<12).map { _ in
            try Self.message(
                "01_message_created_incoming_text.json", id: Int.random(in: 1_000_000...999_999_999), phone: phone, conversation: conversation)
        }
        let statuses = Mutex<[Int]>([])
        let (client, signer, path) = (self.client, self.signer, self.path)
        let stamp = String(Int(Date().timeIntervalSince1970))
        runConcurrently(bodies.count) { index in
            let body = bodies[index]
            let status =
                (try? client.send(
                    "POST", path,
                    headers: [
                        "Content-Type": "application/json", "X-Chatwoot-Timestamp": stamp,
                        "X-Chatwoot-Signature": signer.sign(body: body, timestamp: stamp),
                    ], body: body
                ).status) ?? -1
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: bodies.count))
        #expect(try conversations(conversation) == [[user]])
        // A redelivery touches it and adds nothing.
        #expect(try deliver(bodies[0]).status == 200)
        #expect(try conversations(conversation).count == 1)

        // Another user's message in that conversation leaves it theirs; an unknown sender's
        // message makes no row at all.
        let otherPhone = Fixtures.randomMobile()
        let other = try fixtures.user()
        try fixtures.mapping(other, number: otherPhone)
        let intruder = try Self.message(
            "01_message_created_incoming_text.json", id: Int.random(in: 1_000_000...999_999_999), phone: otherPhone, conversation: conversation)
        #expect(try deliver(intruder).status == 200)
        #expect(try conversations(conversation) == [[user]])
        let lonely = Int.random(in: 1_000_000...2_000_000_000)
        let unknown = try Self.message(
            "01_message_created_incoming_text.json", id: Int.random(in: 1_000_000...999_999_999), phone: Fixtures.randomMobile(),
            conversation: lonely, sender: Int.random(in: 1_000_000...999_999_999))
        #expect(try deliver(unknown).status == 200)
        #expect(try conversations(lonely).isEmpty)
    }

    @Test func aUsersOnlyConversationWithoutAnIdTakesTheFirstOne() throws {
        let phone = Fixtures.randomMobile()
        let user = try fixtures.user()
        try fixtures.mapping(user, number: phone)
        try fixtures.rows("INSERT INTO conversations (user_id, title) VALUES ($1::uuid, 'onboarding') RETURNING 1", [user])
        let conversation = Int.random(in: 1_000_000...2_000_000_000)
        let body = try Self.message(
            "01_message_created_incoming_text.json", id: Int.random(in: 1_000_000...999_999_999), phone: phone, conversation: conversation)
        #expect(try deliver(body).status == 200)
        let rows = try fixtures.rows("SELECT title, chatwoot_conversation_id FROM conversations WHERE user_id = $1::uuid", [user])
        #expect(rows == [["onboarding", String(conversation)]])
        // A second conversation gets a row of its own; the first keeps its id.
        let second = Int.random(in: 1_000_000...2_000_000_000)
        #expect(
            try deliver(
                try Self.message(
                    "01_message_created_incoming_text.json", id: Int.random(in: 1_000_000...999_999_999), phone: phone, conversation: second)
            ).status == 200)
        #expect(try fixtures.rows("SELECT count(*) FROM conversations WHERE user_id = $1::uuid", [user]).first?[0] == "2")
        #expect(try conversations(conversation) == [[user]])
    }

    func reprocess(_ fields: KeyValuePairs<String, JSON>, token: String? = Tokens.serviceRole, signed: Bool = false) throws -> HTTPTestClient.Result {
        var body = JSONObject()
        body["action"] = .string("reprocess_audio")
        for (key, value) in fields { body[key] = value }
        let bytes = JSON.object(body).serializedBytes()
        return signed ? try deliver(bytes) : try post(bytes, token: token ?? "")
    }

    func audioJob(_ messageID: Int) throws -> (status: String, attempts: String)? {
        try fixtures.rows("SELECT status, attempts FROM userbuckets_jobs WHERE dedupe_key = $1", ["audio:3:\(messageID):33012"]).first.map {
            ($0[0] ?? "", $0[1] ?? "")
        }
    }

    @Test func reprocessAudioRequeuesTheMessagesAudioAndStoresItIfItNeverWas() throws {
        let phone = Fixtures.randomMobile()
        let user = try fixtures.user()
        try fixtures.mapping(user, number: phone)
        let id = Int.random(in: 1_000_000...999_999_999)
        let payload = try JSONParser.parse(try Self.message("02_message_created_incoming_audio_voice_note.json", id: id, phone: phone))

        // Only the service role; and the original's 400 without payload or userId.
        #expect(try reprocess(["payload": payload, "userId": .string(user)], signed: true).status == 403)
        #expect(try reprocess(["payload": payload, "userId": .string(user)], token: Tokens.user(user)).status == 401)
        let missing = try reprocess(["payload": payload])
        #expect(missing.status == 400)
        #expect(missing.json == .object(["error": .string("payload and userId are required for reprocessing")]))
        #expect(try notes(id).isEmpty)

        // Never stored: it is now, with its audio job queued.
        let first = try reprocess(["payload": payload, "userId": .string(user)])
        #expect(first.status == 200, "\(first.text)")
        #expect(first.json?["success"] == .bool(true))
        let details = try #require(first.json?["details"])
        #expect(details["userId"] == .string(user))
        #expect(details["messageId"]?.intValue == id)
        #expect(details["contactId"]?.stringValue?.hasPrefix("contact_") == true)
        #expect(details["bucketName"]?.stringValue?.hasPrefix(Stack.shared.prefix) == true)
        #expect(details["audioProcessed"] == .bool(true))
        #expect(details["noteProcessed"] == .bool(true))
        #expect(try notes(id).count == 1)
        #expect(try audioJob(id)?.status == "queued")

        // Its job ended (failed here): reprocessing runs it again, attempts reset; the message
        // is not stored twice.
        try fixtures.rows("UPDATE userbuckets_jobs SET status = 'failed', attempts = 8 WHERE dedupe_key = $1 RETURNING 1", ["audio:3:\(id):33012"])
        let again = try reprocess(["payload": payload, "userId": .string(user)])
        #expect(again.status == 200, "\(again.text)")
        #expect(again.json?["details"]?["audioProcessed"] == .bool(true))
        #expect(try audioJob(id).map { [$0.status, $0.attempts] } == ["queued", "0"])
        #expect(try notes(id).count == 1)
        // While it waits, another call queues nothing more.
        let waiting = try reprocess(["payload": payload, "userId": .string(user)])
        #expect(waiting.json?["details"]?["audioProcessed"] == .bool(false))
        try fixtures.rows("DELETE FROM userbuckets_jobs WHERE dedupe_key = $1 RETURNING 1", ["audio:3:\(id):33012"])
    }
}
