/// Where a processed audio attachment is recorded: `audio_files` and, for a known user,
/// `knowledge_files`. Writes are idempotent (a job that runs twice records once).
package protocol AudioRecords: AnyObject {
    func record(_ audio: ProcessedAudio) throws
}

/// One audio attachment, stored and (maybe) transcribed.
package struct ProcessedAudio: Sendable {
    package var userID: String?
    package var contactID: String
    package var meetingNoteID: String?
    package var attachmentID: Int
    package var dataURL: String
    package var bucket: String
    package var objectPath: String
    package var storageURI: String
    package var size: Int
    package var sha256: String
    package var format: AudioFormat
    package var transcription: String?
    /// Why there is no transcription (disabled, or the permanent error).
    package var transcriptionError: String?
    package var model: String
    package var messageID: Int
    package var date: String
    package var recordedAt: String?
}

/// `AudioRecords` on the original tables.
package final class PostgresAudioRecords: AudioRecords {
    private let connection: PostgresConnection

    package init(connection: PostgresConnection) {
        self.connection = connection
    }

    static let updateAudio = PreparedStatement(
        """
        UPDATE public.audio_files SET transcription = $3, transcription_status = $4, transcription_error = $5, openai_model = $6,
            file_path = $7, processed_at = now()
        WHERE meeting_note_id = $1::uuid AND chatwoot_attachment_id = $2::int
        """)
    static let insertAudio = PreparedStatement(
        """
        INSERT INTO public.audio_files (user_id, contact_identifier, meeting_note_id, chatwoot_attachment_id, chatwoot_attachment_url,
            file_path, transcription, transcription_status, transcription_error, openai_model, original_file_size, duration_seconds, processed_at)
        VALUES ($1::uuid, $2, $3::uuid, $4::int, $5, $6, $7, $8, $9, $10, $11::int, NULL, now())
        """)
    static let knowledgeExists = PreparedStatement(
        "SELECT id FROM public.knowledge_files WHERE user_id = $1::uuid AND gcs_path = $2")
    static let updateKnowledge = PreparedStatement(
        """
        UPDATE public.knowledge_files SET content_extracted = $2::bool, extracted_content = $3, transcription = $3,
            transcription_status = $4, transcription_error = $5, transcribed_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END,
            updated_at = now()
        WHERE id = $1::uuid
        """)
    static let insertKnowledge = PreparedStatement(
        """
        INSERT INTO public.knowledge_files (user_id, name, type, size, gcs_bucket, gcs_path, storage_path, file_hash, content_extracted,
            extracted_content, extraction_metadata, metadata, transcription, transcription_status, transcription_error, transcribed_at)
        VALUES ($1::uuid, $2, 'audio', $3::bigint, $4, $5, $6, $7, $8::bool, $9, $10::jsonb, $11::jsonb, $9, $12, $13,
            CASE WHEN $9::text IS NULL THEN NULL ELSE now() END)
        """)

    package func record(_ audio: ProcessedAudio) throws {
        try connection.transaction {
            let status = audio.transcription == nil ? "error" : "completed"
            let updated = try connection.execute(
                Self.updateAudio,
                [
                    audio.meetingNoteID, String(audio.attachmentID), audio.transcription, status, audio.transcriptionError, audio.model,
                    audio.storageURI,
                ])
            if updated.affectedRows == 0 {
                _ = try connection.execute(
                    Self.insertAudio,
                    [
                        audio.userID, audio.contactID, audio.meetingNoteID, String(audio.attachmentID), audio.dataURL, audio.storageURI,
                        audio.transcription, status, audio.transcriptionError, audio.model, String(audio.size),
                    ])
            }
            guard let userID = audio.userID else { return }
            let knowledgeStatus = audio.transcription == nil ? "failed" : "completed"
            if let existing = try connection.execute(Self.knowledgeExists, [userID, audio.storageURI]).scalar {
                _ = try connection.execute(
                    Self.updateKnowledge,
                    [existing, audio.transcription == nil ? "false" : "true", audio.transcription, knowledgeStatus, audio.transcriptionError])
                return
            }
            let extraction = JSON.object([
                "source": .string("whatsapp_audio"), "contact_id": .string(audio.contactID), "chatwoot_attachment_id": .integer(audio.attachmentID),
                "transcription_status": .string(status), "openai_model": .string(audio.model), "original_message_id": .integer(audio.messageID),
                "recorded_at": audio.recordedAt.map(JSON.string) ?? .null,
            ])
            let metadata = JSON.object([
                "original_name": .string("audio.\(audio.format.fileExtension)"), "source": .string("whatsapp"),
                "contact_identifier": .string(audio.contactID), "chatwoot_attachment_id": .integer(audio.attachmentID),
                "file_type": .string("audio"), "content_type": .string(audio.format.contentType), "duration_seconds": .null,
            ])
            _ = try connection.execute(
                Self.insertKnowledge,
                [
                    userID, "WhatsApp Audio - \(audio.date) - \(audio.contactID).\(audio.format.fileExtension)", String(audio.size), audio.bucket,
                    audio.storageURI, audio.objectPath, audio.sha256, audio.transcription == nil ? "false" : "true", audio.transcription,
                    extraction.serialized(), metadata.serialized(), knowledgeStatus, audio.transcriptionError,
                ])
        }
    }
}
