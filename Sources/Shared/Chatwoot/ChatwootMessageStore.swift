/// A Chatwoot message about to be recorded: the `meeting_notes` row and the jobs it needs.
package struct NewChatwootMessage: Sendable {
    package var accountID: Int
    package var messageID: Int
    package var conversationID: Int
    package var senderID: Int?
    package var userID: String?
    package var contactID: String
    package var bucket: String
    package var objectPath: String
    /// `gs://bucket/object` (or the filesystem backend's `file://…`).
    package var storageURI: String
    package var content: String
    package var metadata: JSON
    package var deliveryID: String?
    /// `PhoneNumber.lookupKey` of the sender's number, when it has one: a contact bucket is
    /// merged once that number gets a user.
    package var phoneKey: String?
    /// One payload per audio attachment; the store adds `meeting_note_id`.
    package var audioJobs: [(dedupeKey: String, payload: JSONObject)]

    package init(
        accountID: Int, messageID: Int, conversationID: Int, senderID: Int?, userID: String?, contactID: String, bucket: String,
        objectPath: String, storageURI: String, content: String, metadata: JSON, deliveryID: String?, phoneKey: String? = nil,
        audioJobs: [(dedupeKey: String, payload: JSONObject)]
    ) {
        self.accountID = accountID
        self.messageID = messageID
        self.conversationID = conversationID
        self.senderID = senderID
        self.userID = userID
        self.contactID = contactID
        self.bucket = bucket
        self.objectPath = objectPath
        self.storageURI = storageURI
        self.content = content
        self.metadata = metadata
        self.deliveryID = deliveryID
        self.phoneKey = phoneKey
        self.audioJobs = audioJobs
    }
}

/// What recording found.
package enum ChatwootRecordOutcome: Sendable, Equatable {
    case recorded(meetingNoteID: String)
    /// This message was recorded before (a redelivery, a repeat, an update).
    case duplicate(userID: String?, bucket: String)
}

/// Where webhook messages are recorded, exactly once per Chatwoot message: the seam between
/// the webhook and the database.
package protocol ChatwootMessageStore: AnyObject {
    /// The earlier record of a message, if any.
    func existing(accountID: Int, messageID: Int) throws -> (userID: String?, bucket: String)?

    /// Records the message, its `meeting_notes` row and its jobs in one transaction, or finds
    /// it was recorded already.
    func record(_ message: NewChatwootMessage) throws -> ChatwootRecordOutcome

    /// The `conversations` upsert for a known user (`userbuckets_touch_conversation`, 0007):
    /// what it did (`touched`, `claimed`, `inserted`, `other_user`, `ambiguous`, `skipped`).
    func touchConversation(userID: String, conversationID: Int) throws -> String
}
