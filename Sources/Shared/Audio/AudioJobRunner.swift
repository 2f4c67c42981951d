/// Runs one `audio` job (queued by the webhook): download the attachment, store it under its
/// real extension, transcribe it, record `audio_files` (and `knowledge_files` for a known user).
/// Every step may run again after a crash without doubling anything: the object is written
/// create-only and the rows are upserted.
package final class AudioJobRunner: JobRunner {
    /// What became of an attempt.
    package typealias Outcome = JobOutcome

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
        guard let payload = AudioJobPayload(json: job.payload) else { return .fail(reason: "malformed job payload") }
        let (bucket, date) = (payload.bucket, payload.date)
        if let declared = payload.fileSize, declared > downloader.maxBytes {
            return .fail(reason: "attachment of \(declared) bytes is over the \(downloader.maxBytes)-byte limit")
        }

        let file: AttachmentDownloader.File
        do {
            file = try downloader.download(payload.dataURL)
        } catch {
            switch error {
            case .refused(let reason): return .fail(reason: "download refused: \(reason)")
            case .notFound: return .retry(reason: error.description, delaySeconds: Self.backoff(job.attempts))
            case .unavailable: return .retry(reason: error.description, delaySeconds: Self.backoff(job.attempts))
            }
        }
        let format = AudioFormat.detect(bytes: file.bytes, fileName: file.fileName, contentType: file.contentType)
        let objectPath = "whatsapp-audio/\(date)/\(payload.conversationID)/\(payload.messageID)_\(payload.attachmentID).\(format.fileExtension)"
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

        let audio = ProcessedAudio(
            userID: payload.userID, contactID: payload.contactID, meetingNoteID: payload.meetingNoteID,
            attachmentID: payload.attachmentID, dataURL: payload.dataURL, bucket: bucket.value, objectPath: objectPath,
            storageURI: storage.uri(of: objectPath, in: bucket.value), size: file.bytes.count, sha256: Digest.hex(Digest.sha256(file.bytes)),
            format: format, transcription: transcription, transcriptionError: transcriptionError, model: transcriber?.model ?? "none",
            messageID: payload.messageID, date: date, recordedAt: payload.recordedAt)
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
