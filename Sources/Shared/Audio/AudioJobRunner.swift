/// Runs one `audio` job (queued by the webhook): download the attachment, store it under its
/// real extension, transcribe it, record `audio_files` (and `knowledge_files` for a known user).
/// Every step may run again after a crash without doubling anything: the object is written
/// create-only and the rows are upserted.
package final class AudioJobRunner {
    /// What became of an attempt.
    package enum Outcome: Equatable, Sendable {
        case done(JSON)
        /// Finished without a transcript on purpose (no OpenAI key).
        case skipped(JSON)
        case retry(reason: String, delaySeconds: Int)
        case fail(reason: String)
    }

    private let downloader: AttachmentDownloader
    private let storage: any ObjectStorage
    private let transcriber: (any Transcriber)?
    private let records: any AudioRecords

    package init(downloader: AttachmentDownloader, storage: any ObjectStorage, transcriber: (any Transcriber)?, records: any AudioRecords) {
        self.downloader = downloader
        self.storage = storage
        self.transcriber = transcriber
        self.records = records
    }

    package func run(_ job: Job) -> Outcome {
        let payload = job.payload
        guard let url = payload["data_url"]?.stringValue, let bucketText = payload["bucket"]?.stringValue,
            let bucket = BucketName(bucketText), let attachmentID = payload["attachment_id"]?.intValue,
            let messageID = payload["message_id"]?.intValue, let conversationID = payload["conversation_id"]?.intValue,
            let contactID = payload["contact_id"]?.stringValue
        else { return .fail(reason: "malformed job payload") }
        let date = payload["date"]?.stringValue ?? UnixTime.date(UnixTime.now())
        if let declared = payload["file_size"]?.intValue, declared > downloader.maxBytes {
            return .fail(reason: "attachment of \(declared) bytes is over the \(downloader.maxBytes)-byte limit")
        }

        let file: AttachmentDownloader.File
        do {
            file = try downloader.download(url)
        } catch {
            switch error {
            case .refused(let reason): return .fail(reason: "download refused: \(reason)")
            case .notFound: return .retry(reason: error.description, delaySeconds: Self.backoff(job.attempts))
            case .unavailable: return .retry(reason: error.description, delaySeconds: Self.backoff(job.attempts))
            }
        }
        let format = AudioFormat.detect(bytes: file.bytes, fileName: file.fileName, contentType: file.contentType)
        let objectPath = "whatsapp-audio/\(date)/\(conversationID)/\(messageID)_\(attachmentID).\(format.fileExtension)"
        do {
            _ = try storage.putObject(ObjectName(objectPath)!, in: bucket, contentType: format.contentType, data: file.bytes, ifAbsent: true)
        } catch {
            if error.code == .unavailable { return .retry(reason: "storing the audio: \(error)", delaySeconds: Self.backoff(job.attempts)) }
            return .fail(reason: "storing the audio: \(error)")
        }

        var transcription: String?
        var transcriptionError: String?
        var permanentFailure: String?
        if let transcriber {
            do {
                transcription = try transcriber.transcribe(file.bytes, format: format)
            } catch {
                guard error.permanent else {
                    return .retry(reason: error.reason, delaySeconds: error.retryAfterSeconds.map { max(1, $0) } ?? Self.backoff(job.attempts))
                }
                transcriptionError = error.reason
                permanentFailure = error.reason
            }
        } else {
            transcriptionError = "transcription disabled: OPENAI_API_KEY is not set"
        }

        let scheme = storage.backendName == "gcs" ? "gs" : storage.backendName
        let audio = ProcessedAudio(
            userID: payload["user_id"]?.stringValue, contactID: contactID, meetingNoteID: payload["meeting_note_id"]?.stringValue,
            attachmentID: attachmentID, dataURL: url, bucket: bucket.value, objectPath: objectPath,
            storageURI: "\(scheme)://\(bucket.value)/\(objectPath)", size: file.bytes.count, sha256: Digest.hex(Digest.sha256(file.bytes)),
            format: format, transcription: transcription, transcriptionError: transcriptionError, model: transcriber?.model ?? "none",
            messageID: messageID, date: date, recordedAt: payload["recorded_at"]?.stringValue)
        do {
            try records.record(audio)
        } catch {
            return .retry(reason: "recording the audio: \(error)", delaySeconds: Self.backoff(job.attempts))
        }
        let result = JSON.object([
            "object": .string(audio.storageURI), "bytes": .integer(file.bytes.count), "format": .string(format.fileExtension),
            "transcription": .string(transcription != nil ? "completed" : (transcriber == nil ? "disabled" : "failed")),
        ])
        if let permanentFailure { return .fail(reason: permanentFailure) }
        return transcriber == nil ? .skipped(result) : .done(result)
    }

    /// 30 s, 1 min, 2 min … capped at one hour, with jitter.
    static func backoff(_ attempts: Int) -> Int {
        let base = min(3600, 30 << min(max(attempts - 1, 0), 7))
        return base / 2 + Int.random(in: 0...(base / 2))
    }
}
