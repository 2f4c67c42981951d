/// `ChatwootMessageStore` on PostgreSQL: `userbuckets_chatwoot_messages` is the gate (its
/// primary key is the Chatwoot account and message id), written in the transaction that inserts
/// the `meeting_notes` row (the original's columns) and enqueues the audio jobs.
public final class PostgresChatwootMessageStore: ChatwootMessageStore {
    private let connection: PostgresConnection
    private let jobs: PostgresJobQueue

    public init(connection: PostgresConnection) {
        self.connection = connection
        self.jobs = PostgresJobQueue(connection: connection)
    }

    static let find = PreparedStatement(
        "SELECT user_id, bucket_name FROM public.userbuckets_chatwoot_messages WHERE account_id = $1::bigint AND message_id = $2::bigint")
    static let claim = PreparedStatement(
        """
        INSERT INTO public.userbuckets_chatwoot_messages (account_id, message_id, user_id, bucket_name, object_path, delivery_id)
        VALUES ($1::bigint, $2::bigint, $3::uuid, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1
        """)
    static let insertNote = PreparedStatement(
        """
        INSERT INTO public.meeting_notes (user_id, contact_identifier, chatwoot_conversation_id, chatwoot_message_id,
            chatwoot_contact_id, content, source_type, message_type, gcs_storage_path, processing_status, metadata, processed_at)
        VALUES ($1::uuid, $2, $3, $4, $5, $6, 'whatsapp', 'incoming', $7, 'stored', $8::jsonb, now())
        RETURNING id
        """)
    static let linkNote = PreparedStatement(
        "UPDATE public.userbuckets_chatwoot_messages SET meeting_note_id = $3::uuid WHERE account_id = $1::bigint AND message_id = $2::bigint")

    public func existing(accountID: Int, messageID: Int) throws -> (userID: String?, bucket: String)? {
        guard let row = try connection.execute(Self.find, [String(accountID), String(messageID)]).rows.first else { return nil }
        return (row[0], row[1] ?? "")
    }

    public func record(_ message: NewChatwootMessage) throws -> ChatwootRecordOutcome {
        try connection.transaction {
            let ids = [String(message.accountID), String(message.messageID)]
            let claimed = try connection.execute(
                Self.claim, ids + [message.userID, message.bucket, message.objectPath, message.deliveryID])
            guard !claimed.rows.isEmpty else {
                // Another delivery got here first (its transaction has committed: the insert waited).
                let earlier = try existing(accountID: message.accountID, messageID: message.messageID)
                return .duplicate(userID: earlier?.userID, bucket: earlier?.bucket ?? message.bucket)
            }
            let note = try connection.execute(
                Self.insertNote,
                [
                    message.userID, message.contactID, String(message.conversationID), String(message.messageID),
                    message.senderID.map(String.init), message.content, message.storageURI, message.metadata.serialized(),
                ])
            guard let noteID = note.scalar else {
                throw PostgresError(kind: .statement, sqlState: nil, message: "meeting_notes insert returned no id")
            }
            _ = try connection.execute(Self.linkNote, ids + [noteID])
            for job in message.audioJobs {
                var payload = job.payload
                payload["meeting_note_id"] = .string(noteID)
                try jobs.enqueue(kind: "audio", payload: .object(payload), dedupeKey: job.dedupeKey)
            }
            return .recorded(meetingNoteID: noteID)
        }
    }
}
