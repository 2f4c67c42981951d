import Shared
import TestSupport
import Testing

@testable import ChatwootWebhook

/// `chatwoot-webhook` in process: what is skipped and why, what is stored once.
@Suite struct ChatwootWebhookHandlerTests {
    let spec = FunctionSpec(name: "chatwoot-webhook", methods: ["POST", "OPTIONS"], maxBodyBytes: 1 << 20)

    func deliver(_ fixture: String, to run: InProcess) throws -> Response {
        let body = String(decoding: try FileIO.read(path: Fixture.path("chatwoot/" + fixture)), as: UTF8.self)
        return run.responder(spec, try ChatwootWebhookHandler(core: run.core, environment: run.environment))
            .respond(to: InProcess.post("chatwoot-webhook", body), readFailure: nil)
    }

    @Test(arguments: [
        ("04_message_created_outgoing_agent_reply.json", "Skipped outgoing message"),
        ("05_message_created_private_note.json", "Skipped private note"),
        ("10_conversation_created.json", "Event not applicable: only message_created is stored"),
    ])
    func whatIsNotAnIncomingMessageIsSkippedWithItsReason(fixture: String, message: String) throws {
        let run = try InProcess()
        let answer = try deliver(fixture, to: run)
        #expect(answer.status == .ok)
        #expect(answer.json?["message"] == .string(message))
        #expect((run.core.messages as? InMemoryChatwootMessageStore)?.recorded.isEmpty == true)
    }

    @Test func anotherChannelIsSkippedAndAnIncomingTextIsStoredOnce() throws {
        let other = try InProcess(["CHATWOOT_ALLOWED_CHANNELS": "Channel::Telegram"])
        #expect(
            try deliver("01_message_created_incoming_text.json", to: other).json?["message"]
                == .string("Event not applicable: this channel is not stored"))
        let run = try InProcess()
        let first = try deliver("01_message_created_incoming_text.json", to: run)
        #expect(first.status == .ok, "\(first.text)")
        #expect(first.json?["success"] == .bool(true))
        let again = try deliver("01_message_created_incoming_text.json", to: run)
        #expect(again.json?["message"]?.stringValue?.contains("already stored") == true)
        let store = try #require(run.core.messages as? InMemoryChatwootMessageStore)
        #expect(store.recorded.count == 1)
        let message = try #require(store.recorded.first)
        #expect(message.objectPath.hasPrefix("whatsapp-messages/"))
        // The answer masks the number.
        #expect(first.json?["whatsappNumber"]?.stringValue?.contains("*") == true)
    }

    @Test func aBodyThatIsNotAChatwootEventIs400() throws {
        let run = try InProcess()
        let responder = run.responder(spec, try ChatwootWebhookHandler(core: run.core, environment: run.environment))
        for body in ["[]", #"{"event":"message_created"}"#, "not json"] {
            let answer = responder.respond(to: InProcess.post("chatwoot-webhook", body), readFailure: nil)
            #expect(answer.status == .badRequest, "\(body): \(answer.text)")
        }
    }
}
