/// The parts of a Chatwoot `message_created`/`message_updated` payload we act on (PROTOCOLS.md
/// §1.3–1.6), read tolerantly: unknown fields are ignored, nulls and missing optional objects are
/// fine, a value of the wrong type counts as missing.
package struct ChatwootMessageEvent: Sendable {
    package struct Attachment: Sendable, Equatable {
        package let id: Int
        package let fileType: String
        package let dataURL: String?
        package let fileSize: Int?
        package let fileExtension: String?
    }

    package let event: String
    package let messageID: Int
    package let accountID: Int
    package let conversationID: Int
    package let inboxID: Int?
    /// `incoming`, `outgoing`, `template` (a string in webhooks).
    package let messageType: String?
    package let isPrivate: Bool
    package let channel: String?
    package let content: String?
    package let contentType: String?
    /// `YYYY-MM-DD` (UTC) of the message's `created_at`; today when it has none.
    package let date: String
    package let createdAt: String?
    package let senderID: Int?
    package let senderType: String?
    package let senderName: String?
    package let conversationStatus: String?
    package let attachments: [Attachment]
    /// Phone-number candidates in SPEC §5.3 order (not yet normalized).
    package let numberCandidates: [String]
    /// The whole payload, to store as received.
    package let payload: JSON

    /// `contact_<sender.id>_account_<account.id>`, as the original.
    package var contactID: String {
        "contact_\(senderID.map(String.init) ?? "unknown")_account_\(accountID)"
    }

    /// Reads a message event; nil when `json` is a Chatwoot event of another kind.
    /// - Throws: 400 when it is not a Chatwoot event at all, or a message event without its ids.
    package static func parse(_ json: JSON, today: String) throws(ServiceError) -> ChatwootMessageEvent? {
        guard json.objectValue != nil, let event = json["event"]?.stringValue else {
            throw ServiceError.badRequest("Not a Chatwoot webhook event")
        }
        guard event == "message_created" || event == "message_updated" else { return nil }
        guard let messageID = json["id"]?.intValue, let accountID = json["account"]?["id"]?.intValue,
            let conversationID = json["conversation"]?["id"]?.intValue
        else {
            throw ServiceError.badRequest("Invalid webhook payload structure: a message event needs id, account.id and conversation.id")
        }
        let conversation = json["conversation"]
        let sender = json["sender"]
        let metaSender = conversation?["meta"]?["sender"]
        let channel = conversation?["channel"]?.stringValue
        let createdAt = json["created_at"]?.stringValue
        return ChatwootMessageEvent(
            event: event, messageID: messageID, accountID: accountID, conversationID: conversationID,
            inboxID: json["inbox"]?["id"]?.intValue ?? conversation?["inbox_id"]?.intValue,
            messageType: json["message_type"]?.stringValue, isPrivate: json["private"]?.boolValue ?? false, channel: channel,
            content: json["content"]?.stringValue, contentType: json["content_type"]?.stringValue,
            date: Self.date(of: json["created_at"]) ?? today, createdAt: createdAt,
            senderID: sender?["id"]?.intValue ?? metaSender?["id"]?.intValue ?? conversation?["contact_inbox"]?["contact_id"]?.intValue,
            senderType: sender?["type"]?.stringValue, senderName: sender?["name"]?.stringValue ?? metaSender?["name"]?.stringValue,
            conversationStatus: conversation?["status"]?.stringValue,
            attachments: (json["attachments"]?.arrayValue ?? []).compactMap(Self.attachment),
            numberCandidates: Self.numberCandidates(json, channel: channel), payload: json)
    }

    /// SPEC §5.3: sender.phone_number, conversation.meta.sender.phone_number,
    /// contact_inbox.source_id when it is digits on a WhatsApp channel, a `…@s.whatsapp.net`
    /// identifier, then the additional_attributes phone fields.
    static func numberCandidates(_ json: JSON, channel: String?) -> [String] {
        let conversation = json["conversation"]
        let sender = json["sender"]
        let metaSender = conversation?["meta"]?["sender"]
        var candidates: [String?] = [sender?["phone_number"]?.stringValue, metaSender?["phone_number"]?.stringValue]
        if channel == "Channel::Whatsapp", let source = conversation?["contact_inbox"]?["source_id"]?.stringValue,
            !source.isEmpty, source.utf8.allSatisfy({ (48...57).contains($0) })
        {
            candidates.append(source)
        }
        for identifier in [sender?["identifier"]?.stringValue, metaSender?["identifier"]?.stringValue] {
            if let identifier, identifier.hasSuffix("@s.whatsapp.net") { candidates.append(identifier) }
        }
        candidates += [
            sender?["additional_attributes"]?["phone_number"]?.stringValue,
            metaSender?["additional_attributes"]?["phone_number"]?.stringValue,
            conversation?["additional_attributes"]?["phone_number"]?.stringValue,
        ]
        return candidates.compactMap { $0 }.filter { !$0.isEmpty }
    }

    private static func attachment(_ json: JSON) -> Attachment? {
        guard let id = json["id"]?.intValue, let fileType = json["file_type"]?.stringValue else { return nil }
        return Attachment(
            id: id, fileType: fileType, dataURL: json["data_url"]?.stringValue, fileSize: json["file_size"]?.intValue,
            fileExtension: json["extension"]?.stringValue)
    }

    /// `2026-05-22` from `"2026-05-22T13:00:02.204Z"` or from epoch seconds.
    static func date(of value: JSON?) -> String? {
        if let text = value?.stringValue {
            let prefix = Array(text.utf8.prefix(10))
            let digitsAt: [Int] = [0, 1, 2, 3, 5, 6, 8, 9]
            guard prefix.count == 10, prefix[4] == UInt8(ascii: "-"), prefix[7] == UInt8(ascii: "-"),
                digitsAt.allSatisfy({ (48...57).contains(prefix[$0]) })
            else { return nil }
            return String(decoding: prefix, as: UTF8.self)
        }
        if let seconds = value?.intValue, seconds > 0 { return UnixTime.date(seconds) }
        return nil
    }
}
