/// A Chatwoot message about to be recorded: the `meeting_notes` row and the jobs it needs.
public struct NewChatwootMessage: Sendable {
    public var accountID: Int
    public var messageID: Int
    public var conversationID: Int
    public var senderID: Int?
    public var userID: String?
    public var contactID: String
    public var bucket: String
    public var objectPath: String
    /// `gs://bucket/object` (or the filesystem backend's `file://…`).
    public var storageURI: String
    public var content: String
    public var metadata: JSON
    public var deliveryID: String?
    /// One payload per audio attachment; the store adds `meeting_note_id`.
    public var audioJobs: [(dedupeKey: String, payload: JSONObject)]

    public init(
        accountID: Int, messageID: Int, conversationID: Int, senderID: Int?, userID: String?, contactID: String, bucket: String,
        objectPath: String, storageURI: String, content: String, metadata: JSON, deliveryID: String?,
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
        self.audioJobs = audioJobs
    }
}

/// What recording found.
public enum ChatwootRecordOutcome: Sendable, Equatable {
    case recorded(meetingNoteID: String)
    /// This message was recorded before (a redelivery, a repeat, an update).
    case duplicate(userID: String?, bucket: String)
}

/// Where webhook messages are recorded, exactly once per Chatwoot message: the seam between
/// the webhook and the database.
public protocol ChatwootMessageStore: AnyObject {
    /// The earlier record of a message, if any.
    func existing(accountID: Int, messageID: Int) throws -> (userID: String?, bucket: String)?

    /// Records the message, its `meeting_notes` row and its jobs in one transaction, or finds
    /// it was recorded already.
    func record(_ message: NewChatwootMessage) throws -> ChatwootRecordOutcome
}
