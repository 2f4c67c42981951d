/// What an audio job needs, as one typed value: written by the webhook (into the queue's JSON
/// payload, with the keys below) and read by `AudioJobRunner`, so neither side spells keys the
/// other might not. The SQL that records a message adds `meeting_note_id` to each payload.
package struct AudioJobPayload: Sendable, Equatable {
    package var accountID: Int
    package var messageID: Int
    package var conversationID: Int
    package var attachmentID: Int
    package var dataURL: String
    /// The size Chatwoot declared, if it did.
    package var fileSize: Int?
    package var fileExtension: String?
    package var bucket: BucketName
    package var userID: String?
    package var contactID: String
    /// `YYYY-MM-DD` of the message (the object's folder).
    package var date: String
    package var recordedAt: String?
    /// Set by the database when the message is recorded.
    package var meetingNoteID: String?

    package init(
        accountID: Int, messageID: Int, conversationID: Int, attachmentID: Int, dataURL: String, fileSize: Int?, fileExtension: String?,
        bucket: BucketName, userID: String?, contactID: String, date: String, recordedAt: String?, meetingNoteID: String? = nil
    ) {
        self.accountID = accountID
        self.messageID = messageID
        self.conversationID = conversationID
        self.attachmentID = attachmentID
        self.dataURL = dataURL
        self.fileSize = fileSize
        self.fileExtension = fileExtension
        self.bucket = bucket
        self.userID = userID
        self.contactID = contactID
        self.date = date
        self.recordedAt = recordedAt
        self.meetingNoteID = meetingNoteID
    }

    /// The job's dedupe key: one job per attachment of one message.
    package var dedupeKey: String { Self.dedupeKey(accountID: accountID, messageID: messageID, attachmentID: attachmentID) }

    package static func dedupeKey(accountID: Int, messageID: Int, attachmentID: Int) -> String {
        "audio:\(accountID):\(messageID):\(attachmentID)"
    }

    package var json: JSONObject {
        var payload = JSONObject()
        payload["account_id"] = .integer(accountID)
        payload["message_id"] = .integer(messageID)
        payload["conversation_id"] = .integer(conversationID)
        payload["attachment_id"] = .integer(attachmentID)
        payload["data_url"] = .string(dataURL)
        payload["file_size"] = fileSize.map(JSON.integer) ?? .null
        payload["extension"] = fileExtension.map(JSON.string) ?? .null
        payload["bucket"] = .string(bucket.value)
        payload["user_id"] = userID.map(JSON.string) ?? .null
        payload["contact_id"] = .string(contactID)
        payload["date"] = .string(date)
        payload["recorded_at"] = recordedAt.map(JSON.string) ?? .null
        if let meetingNoteID { payload["meeting_note_id"] = .string(meetingNoteID) }
        return payload
    }

    /// Reads a payload back; nil when a required field is missing or of the wrong type.
    package init?(json: JSON) {
        guard let url = json["data_url"]?.stringValue, let bucket = json["bucket"]?.stringValue.flatMap(BucketName.init),
            let attachmentID = json["attachment_id"]?.intValue, let messageID = json["message_id"]?.intValue,
            let conversationID = json["conversation_id"]?.intValue, let contactID = json["contact_id"]?.stringValue
        else { return nil }
        self.init(
            accountID: json["account_id"]?.intValue ?? 0, messageID: messageID, conversationID: conversationID, attachmentID: attachmentID,
            dataURL: url, fileSize: json["file_size"]?.intValue, fileExtension: json["extension"]?.stringValue, bucket: bucket,
            userID: json["user_id"]?.stringValue, contactID: contactID, date: json["date"]?.stringValue ?? UnixTime.date(UnixTime.now()),
            recordedAt: json["recorded_at"]?.stringValue, meetingNoteID: json["meeting_note_id"]?.stringValue)
    }
}
