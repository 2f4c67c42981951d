import Logging
import Shared

/// `POST /functions/v1/chatwoot-webhook` (SPEC §5.3): authenticates the delivery, keeps incoming
/// WhatsApp messages, identifies the sender in-process, and stores each message once (object
/// create-only, `meeting_notes` row and audio jobs in one transaction) before answering.
struct ChatwootWebhookHandler: RequestHandler {
    let core: CoreServices
    let authenticator: WebhookAuthenticator
    let allowedChannels: Set<String>
    let clock: @Sendable () -> Int
    /// Stored and duplicate messages (every delivery that gets that far), resolved once per
    /// thread; rejections and skips are rarer and counted by name.
    private let outcomes = CounterFamily(prefix: "userbuckets_webhook_messages_total{outcome=\"")

    init(
        core: CoreServices, environment: Environment, clock: @escaping @Sendable () -> Int = { UnixTime.now() }
    ) throws {
        self.core = core
        self.authenticator = try WebhookAuthenticator(environment: environment)
        self.allowedChannels = Set(
            environment.get("CHATWOOT_ALLOWED_CHANNELS", default: "Channel::Whatsapp").split(separator: ",").map { $0.trimmingSpaces() })
        self.clock = clock
    }

    func handle(_ request: Request, context: RequestContext) throws -> Response {
        do {
            return try process(request, context: context)
        } catch let error as ServiceError where error.status.code < 500 {
            Metrics.shared.increment("userbuckets_webhook_messages_total{outcome=\"rejected\",status=\"\(error.status.code)\"}")
            // The reason is ours (never what was sent): safe to log.
            context.log(.warning, "webhook rejected", metadata: [LogKey.error: .string(error.publicMessage)])
            throw error
        }
    }

    private func process(_ request: Request, context: RequestContext) throws -> Response {
        let sender = try authenticator.authenticate(request, jwt: core.authenticator)
        let now = clock()
        let json = try request.jsonBody()
        if json["action"]?.stringValue == "reprocess_audio" { return try reprocessAudio(json, sender: sender, now: now, context: context) }
        guard let event = try ChatwootMessageEvent.parse(json, today: UnixTime.date(now)) else {
            return SkipReason.notAMessage.response
        }
        if let reason = skipReason(event) { return reason.response }
        let stored = try store(event, payload: request.body, deliveryID: request.header("x-chatwoot-delivery"), now: now, context: context)
        return Self.answer(event, userID: stored.userID, bucket: stored.bucket, number: stored.number, duplicate: stored.duplicate)
    }

    /// Where a message went.
    struct Stored {
        var userID: String?
        var bucket: String
        var number: PhoneNumber?
        var duplicate: Bool
    }

    /// Identifies the sender, stores the message once (object create-only, then the
    /// `meeting_notes` row and its audio jobs in one statement) and, for a known user, upserts
    /// the conversation. `payload`: the delivery's JSON as received.
    func store(_ event: ChatwootMessageEvent, payload: [UInt8], deliveryID: String?, now: Int, context: RequestContext) throws -> Stored {
        let number = event.numberCandidates.lazy.compactMap { core.numbers.normalize($0) }.first
        // One Chatwoot message is one object, whichever bucket it landed in: a redelivery after
        // the number got linked to a user must not write it again into the user's bucket.
        if let earlier = try ServiceError.catching({ try core.messages.existing(accountID: event.accountID, messageID: event.messageID) }) {
            outcomes.increment("duplicate")
            context.log(.info, "message duplicate", metadata: [LogKey.bucket: .string(earlier.bucket)])
            try touchConversation(userID: earlier.userID, event: event, context: context)
            return Stored(userID: earlier.userID, bucket: earlier.bucket, number: number, duplicate: true)
        }
        let contactID = event.contactID
        let identification = try core.identifier.identify(number: number, contactID: contactID, logger: context.logger)
        // Always a bucket: a message without a user has its contact id.
        guard
            let found = try core.provisioner.ensureBucket(
                after: identification, contactID: contactID, phoneKey: number?.lookupKey)
        else {
            throw ServiceError(.internal, "no bucket for a message with a contact id")
        }
        let ensured = found.bucket
        let userID = found.userID?.value
        let objectPath = "whatsapp-messages/\(event.date)/\(event.conversationID)/\(event.messageID).json"
        let metadata = JSON.object([
            "account_id": .integer(event.accountID), "conversation_id": .integer(event.conversationID),
            "message_id": .integer(event.messageID), "message_type": event.messageType.map(JSON.string) ?? .null,
            "sender_type": event.senderType.map(JSON.string) ?? .null, "sender_id": event.senderID.map(JSON.integer) ?? .null,
        ])
        // The payload goes in as received (it parsed as JSON above): no re-serialization.
        var document = Array(#"{"webhook_payload":"#.utf8)
        document.append(contentsOf: payload)
        document.append(contentsOf: #","processed_at":"\#(UnixTime.iso8601(now))","message_metadata":"#.utf8)
        document.append(contentsOf: metadata.serializedBytes())
        document.append(UInt8(ascii: "}"))
        // Create-only: a retry after a failure further down finds it there, which is fine.
        let write = try ServiceError.catching {
            do {
                return try core.storage.putObject(
                    ObjectName(objectPath)!, in: ensured.name, contentType: "application/json", data: document, ifAbsent: true)
            } catch let error as StorageError where error.code == .notFound && identification.candidate == nil {
                // A contact bucket this worker remembered is gone: make it again, once.
                core.provisioner.forgetContactBucket(ensured.name)
                _ = try core.provisioner.ensureContactBucket(contactID, phoneKey: number?.lookupKey)
                return try core.storage.putObject(
                    ObjectName(objectPath)!, in: ensured.name, contentType: "application/json", data: document, ifAbsent: true)
            }
        }
        let outcome = try ServiceError.catching {
            try core.messages.record(
                NewChatwootMessage(
                    accountID: event.accountID, messageID: event.messageID, conversationID: event.conversationID, senderID: event.senderID,
                    userID: userID, contactID: contactID, bucket: ensured.name.value, objectPath: objectPath,
                    storageURI: core.storage.uri(of: objectPath, in: ensured.name.value),
                    content: Self.content(of: event), metadata: Self.metadata(of: event, deliveryID: deliveryID),
                    deliveryID: deliveryID, phoneKey: number?.lookupKey, audioJobs: Self.audioJobs(event, bucket: ensured.name, userID: userID)))
        }
        context.log(.info, "message stored", metadata: [LogKey.bucket: .string(ensured.name.value), LogKey.outcome: .string(identification.outcome)])
        switch outcome {
        case .recorded:
            outcomes.increment("stored")
            try touchConversation(userID: userID, event: event, context: context)
            return Stored(userID: userID, bucket: ensured.name.value, number: number, duplicate: false)
        case .duplicate(let earlierUser, let earlierBucket):
            outcomes.increment("duplicate")
            if earlierBucket != ensured.name.value, case .stored = write {
                // A copy delivered at the same moment was recorded in another bucket (the number
                // was linked in between): this object is the extra one.
                _ = try? core.storage.deleteObject(ObjectName(objectPath)!, in: ensured.name)
            }
            try touchConversation(userID: earlierUser, event: event, context: context)
            return Stored(userID: earlierUser, bucket: earlierBucket, number: number, duplicate: true)
        }
    }

    /// The `conversations` upsert (ORIGINAL.md §6.2) for a message whose user is known. On a
    /// redelivery too: a failure here is a 503, and Chatwoot's retry comes back this way.
    private func touchConversation(userID: String?, event: ChatwootMessageEvent, context: RequestContext) throws {
        guard let userID else { return }
        let outcome = try ServiceError.catching { try core.messages.touchConversation(userID: userID, conversationID: event.conversationID) }
        if outcome == "other_user" || outcome == "ambiguous" {
            context.log(.warning, "conversation not linked", metadata: [LogKey.outcome: .string(outcome)])
        }
    }

    /// Why an event is not stored, or nil to store it.
    private func skipReason(_ event: ChatwootMessageEvent) -> SkipReason? {
        if event.event != "message_created" { return .update }
        // Before the type: Chatwoot sends an agent's private note as an outgoing message.
        if event.isPrivate { return .privateNote }
        guard event.messageType == "incoming" else {
            return .notIncoming(type: event.messageType.flatMap { ["outgoing", "template", "activity"].contains($0) ? $0 : nil } ?? "non-incoming")
        }
        guard let channel = event.channel, allowedChannels.contains(channel) else { return .channel }
        return nil
    }

    /// The original's answer; the number is masked (it never leaves in clear).
    private static func answer(_ event: ChatwootMessageEvent, userID: String?, bucket: String, number: PhoneNumber?, duplicate: Bool) -> Response {
        let message =
            duplicate
            ? "WhatsApp message \(event.messageID) already stored in bucket \(bucket)"
            : "WhatsApp message \(event.messageID) processed and stored in bucket \(bucket)"
        return .json(
            .object([
                "success": .bool(true), "message": .string(message), "userId": userID.map(JSON.string) ?? .null,
                "bucketName": .string(bucket), "whatsappNumber": number.map { .string($0.masked) } ?? .null,
            ]))
    }

    /// The text, or the original's placeholder for a media message without a caption.
    static func content(of event: ChatwootMessageEvent) -> String {
        if let content = event.content, !content.allSatisfy(\.isWhitespace) { return content }
        switch event.attachments.first?.fileType {
        case "audio": return "[Audio Message]"
        case "image": return "[Image Message]"
        case "video": return "[Video Message]"
        case "file": return "[File Attachment]"
        default: return "[Media Message]"
        }
    }

    /// `meeting_notes.metadata`: the original's keys, without the whole payload (it is in the
    /// stored object).
    static func metadata(of event: ChatwootMessageEvent, deliveryID: String?) -> JSON {
        .object([
            "sender_name": event.senderName.map(JSON.string) ?? .null,
            "conversation_status": event.conversationStatus.map(JSON.string) ?? .null, "account_id": .integer(event.accountID),
            "inbox_id": event.inboxID.map(JSON.integer) ?? .null, "content_type": event.contentType.map(JSON.string) ?? .null,
            "original_content": event.content.map(JSON.string) ?? .null, "channel": event.channel.map(JSON.string) ?? .null,
            "chatwoot_delivery_id": deliveryID.map(JSON.string) ?? .null,
            "attachments": .array(
                event.attachments.map {
                    .object(["id": .integer($0.id), "file_type": .string($0.fileType), "file_size": $0.fileSize.map(JSON.integer) ?? .null])
                }),
        ])
    }

    static func audioJobs(_ event: ChatwootMessageEvent, bucket: BucketName, userID: String?) -> [(dedupeKey: String, payload: JSONObject)] {
        event.attachments.filter { $0.fileType == "audio" && $0.dataURL != nil }.map { attachment in
            let job = AudioJobPayload(
                accountID: event.accountID, messageID: event.messageID, conversationID: event.conversationID, attachmentID: attachment.id,
                dataURL: attachment.dataURL!, fileSize: attachment.fileSize, fileExtension: attachment.fileExtension, bucket: bucket,
                userID: userID, contactID: event.contactID, date: event.date, recordedAt: event.createdAt)
            return (job.dedupeKey, job.json)
        }
    }
}
