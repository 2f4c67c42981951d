import Logging
import Shared

/// `{"action":"reprocess_audio","payload":<Chatwoot payload>,"userId":…}` (ORIGINAL.md §6.2),
/// the operator's re-run, for callers that already use it (`userbuckets jobs retry` is the
/// operator's own tool): service role only. Stores the message if it never was (the same
/// path a delivery takes), then runs its audio jobs again.
extension ChatwootWebhookHandler {
    func reprocessAudio(_ json: JSON, sender: WebhookAuthenticator.Sender, now: Int, context: RequestContext) throws -> Response {
        guard sender == .serviceRole else { throw ServiceError.forbidden("reprocess_audio needs the service role") }
        guard case .object? = json["payload"], let userID = json["userId"]?.stringValue, !userID.isEmpty else {
            throw ServiceError(
                .badRequest, "payload and userId are required for reprocessing",
                body: .object(["error": .string("payload and userId are required for reprocessing")]))
        }
        guard UserID(userID) != nil else { throw ServiceError.badRequest("userId must be a UUID") }
        guard let payload = json["payload"], let event = try ChatwootMessageEvent.parse(payload, today: UnixTime.date(now)) else {
            throw ServiceError.badRequest("payload is not a Chatwoot message")
        }
        let stored = try store(event, payload: payload.serializedBytes(), deliveryID: nil, now: now, context: context)
        let keys = event.attachments.filter { $0.fileType == "audio" && $0.dataURL != nil }.map {
            AudioJobPayload.dedupeKey(accountID: event.accountID, messageID: event.messageID, attachmentID: $0.id)
        }
        // A message stored just now has its jobs queued already; an earlier one's run again.
        let again = stored.duplicate ? try ServiceError.catching { try core.jobs.requeue(dedupeKeys: keys) } : keys.count
        context.log(.info, "audio reprocessing queued", metadata: ["jobs": .stringConvertible(again)])
        let details = JSON.object([
            "userId": stored.userID.map(JSON.string) ?? .null, "bucketName": .string(stored.bucket), "contactId": .string(event.contactID),
            "messageId": .integer(event.messageID), "audioProcessed": .bool(again > 0), "audioJobsQueued": .integer(again),
            "noteProcessed": .bool(true), "alreadyStored": .bool(stored.duplicate),
        ])
        let message =
            keys.isEmpty
            ? "Message \(event.messageID) has no audio attachment to reprocess"
            : again == 0
                ? "Message \(event.messageID)'s audio is being processed already" : "Audio of message \(event.messageID) queued for reprocessing"
        return .json(.object(["success": .bool(true), "message": .string(message), "details": details]))
    }
}
