/// `ChatwootMessageStore` on PostgreSQL: `userbuckets_chatwoot_messages` is the gate (its
/// primary key is the Chatwoot account and message id), written in the same statement (so the
/// same transaction) as the `meeting_notes` row (the original's columns) and the audio jobs,
/// and tells the contact-merge bookkeeping (`userbuckets_contact_message`, 0009) about it.
package final class PostgresChatwootMessageStore: ChatwootMessageStore {
    private let connection: PostgresConnection

    package init(connection: PostgresConnection) {
        self.connection = connection
    }

    static let find = PreparedStatement(
        "SELECT user_id, bucket_name FROM public.userbuckets_chatwoot_messages WHERE account_id = $1::bigint AND message_id = $2::bigint")
    /// The whole record in one statement (one round trip, its own transaction): the gate row,
    /// the note and the jobs are written only if the gate row was new.
    static let record = PreparedStatement(recordSQL(withJobs: true))
    /// The same for a message without jobs (most are text): no job insert to start per message.
    static let recordWithoutJobs = PreparedStatement(recordSQL(withJobs: false))

    private static func recordSQL(withJobs: Bool) -> String {
        let jobs = """
            , jobs AS (
                INSERT INTO public.userbuckets_jobs (kind, payload, dedupe_key)
                SELECT 'audio', (job -> 'payload') || jsonb_build_object('meeting_note_id', note.id), job ->> 'key'
                FROM note, jsonb_array_elements($14::jsonb) AS job
                ON CONFLICT (dedupe_key) DO NOTHING
            )
            """
        return """
            WITH claimed AS (
                INSERT INTO public.userbuckets_chatwoot_messages
                    (account_id, message_id, meeting_note_id, user_id, bucket_name, object_path, delivery_id)
                VALUES ($1::bigint, $2::bigint, gen_random_uuid(), $3::uuid, $4, $5, $6)
                ON CONFLICT DO NOTHING RETURNING meeting_note_id
            ), note AS (
                INSERT INTO public.meeting_notes (id, user_id, contact_identifier, chatwoot_conversation_id, chatwoot_message_id,
                    chatwoot_contact_id, content, source_type, message_type, gcs_storage_path, processing_status, metadata, processed_at)
                SELECT meeting_note_id, $3::uuid, $7, $8, $2::bigint::text, $9, $10, 'whatsapp', 'incoming', $11, 'stored', $12::jsonb, now()
                FROM claimed
                RETURNING id
            ), contact AS (
                SELECT public.userbuckets_contact_message($7, $4, $3::uuid, $13) FROM claimed
            )\(withJobs ? jobs : "")
            SELECT id::text FROM note, contact
            """
    }

    static let touch = PreparedStatement("SELECT public.userbuckets_touch_conversation($1::uuid, $2::bigint) AS outcome")

    package func touchConversation(userID: String, conversationID: Int) throws -> String {
        try connection.execute(Self.touch, [userID, conversationID]).records.first?.string("outcome") ?? "skipped"
    }

    package func existing(accountID: Int, messageID: Int) throws -> (userID: String?, bucket: String)? {
        guard let row = try connection.execute(Self.find, [accountID, messageID]).records.first else { return nil }
        return (row.string("user_id"), row.string("bucket_name") ?? "")
    }

    package func record(_ message: NewChatwootMessage) throws -> ChatwootRecordOutcome {
        var parameters: [any PostgresBindable] = [
            message.accountID, message.messageID, message.userID, message.bucket, message.objectPath, message.deliveryID,
            message.contactID, message.conversationID, message.senderID, message.content, message.storageURI,
            message.metadata.serialized(), message.phoneKey,
        ]
        let statement: PreparedStatement
        if message.audioJobs.isEmpty {
            statement = Self.recordWithoutJobs
        } else {
            statement = Self.record
            let jobs = JSON.array(message.audioJobs.map { .object(["key": .string($0.dedupeKey), "payload": .object($0.payload)]) })
            parameters.append(jobs.serialized())
        }
        let result = try connection.execute(statement, parameters)
        if let noteID = result.scalar { return .recorded(meetingNoteID: noteID) }
        // Another delivery got here first (the insert waited for its commit).
        let earlier = try existing(accountID: message.accountID, messageID: message.messageID)
        return .duplicate(userID: earlier?.userID, bucket: earlier?.bucket ?? message.bucket)
    }
}
