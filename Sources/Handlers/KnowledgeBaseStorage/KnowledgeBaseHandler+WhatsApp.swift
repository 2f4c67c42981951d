import Logging
import Shared

/// `whatsapp_content` (the webhook's and `buffer-processor`'s notes, transcripts and audio,
/// `ORIGINAL.md` §8.2) and `extract` (a file's text, again).
extension KnowledgeBaseHandler {
    /// The longest `content` a `whatsapp_content` call may carry (the webhook cuts transcripts
    /// at 100 000 characters).
    static let maxWhatsAppContentBytes = 1 << 20

    /// `{userId, file_name, file_type, content, gcs_path?, metadata?}`, service role only.
    /// Audio with a `gcs_path` gets no row, only the processing trigger; anything else gets a
    /// `knowledge_files` row whose text is `content`, and without a `gcs_path` a note object
    /// (written create-only) that the row points at. A `gcs_path` must name an object in the
    /// user's own bucket. The same call made twice records one row.
    func whatsAppContent(
        _ body: JSONObject, caller: Caller, owner: UserID, longContent: ArraySlice<UInt8>?, context: RequestContext
    ) throws -> Response {
        guard case .serviceRole = caller else { throw ServiceError.forbidden("whatsapp_content is for the service role") }
        let fileName = try body.optionalString("file_name")
        let content: String?
        if let longContent {
            guard longContent.count <= Self.maxWhatsAppContentBytes else {
                throw Self.failure(.payloadTooLarge, "content is longer than \(Self.maxWhatsAppContentBytes) bytes")
            }
            content = try? JSONParser.parse(
                Array("\"".utf8) + longContent + Array("\"".utf8),
                limits: .init(maxDepth: 1, maxStringBytes: Self.maxWhatsAppContentBytes + 2)
            ).stringValue
        } else {
            content = try body.optionalString("content")
        }
        guard let fileName, !fileName.isEmpty, let content, !content.isEmpty else {
            throw Self.failure(.badRequest, "file_name and content are required")
        }
        guard fileName.utf8.count <= 255, !fileName.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Self.failure(.badRequest, "Invalid file_name")
        }
        let fileType = try body.optionalString("file_type") ?? "file"
        let clientMetadata = body["metadata"]?.objectValue ?? JSONObject()
        guard try ServiceError.catching({ try core.directory.user(owner) }) != nil else { throw ServiceError.notFound("User not found") }
        let own = try core.provisioner.ensureUserBucket(owner).name
        let given = try (body.optionalString("gcs_path")).flatMap { $0.isEmpty ? nil : $0 }.map { try ownObject($0, bucket: own) }

        if fileType == "audio", let given {
            // The audio is in the user's bucket already (the webhook stored it): no row, only the
            // processor's call.
            try ServiceError.catching {
                try ProcessingRequest(
                    userID: owner.value, bucket: own.value, filePath: given.value,
                    fileType: FileTypePolicy.contentType(ofExtension: FileTypePolicy.fileExtension(of: given.value)),
                    fileSize: content.utf8.count, metadata: .object(Self.adding(["source": .string("whatsapp")], to: clientMetadata))
                ).enqueue(on: core.jobs, enabled: processingEnabled)
            }
            return .json(
                .object([
                    "success": .bool(true), "message": .string("WhatsApp audio processed and RAG processing triggered"),
                    "file_name": .string(fileName),
                    "note": .string(
                        processingEnabled
                            ? "Audio files are not recorded in knowledge_files; processing is queued"
                            : "Audio files are not recorded in knowledge_files; no processor is configured"),
                ]))
        }

        let now = clock()
        // One row per distinct call: a retried call finds the row the first one made.
        let digest = Digest.hex(
            Digest.sha256(Array("\(owner.value)\n\(fileName)\n\(fileType)\n\(given?.value ?? "")\n".utf8) + Array(content.utf8)))
        let hash = "whatsapp_\(digest.prefix(32))"
        let object = given ?? ObjectName("whatsapp-notes/\(UnixTime.date(now))/\(owner.value)_whatsapp_note_\(digest.prefix(16)).txt")!
        let outcome: (file: KnowledgeFile, duplicate: Bool) = try ServiceError.catching {
            try core.locks.withExclusiveLock("kb:\(owner.value):\(hash)") {
                if let existing = try files.file(userID: owner.value, sha256: hash) { return (existing, true) }
                if given == nil {
                    // Create-only: a retry after the row failed finds the same note there.
                    _ = try core.storage.putObject(
                        object, in: own, contentType: "text/plain; charset=utf-8", data: Array(content.utf8), ifAbsent: true)
                }
                var extraction = clientMetadata
                extraction["source"] = .string("whatsapp")
                extraction["processed_at"] = .string(UnixTime.iso8601(now))
                var metadata = clientMetadata
                metadata["source"] = .string("whatsapp")
                metadata["file_type"] = .string(fileType)
                metadata["content_extracted"] = .bool(true)
                metadata["file_extension"] = .string(given.map { FileTypePolicy.fileExtension(of: $0.value) } ?? "txt")
                let row = try files.insert(
                    NewKnowledgeFile(
                        userID: owner.value, name: fileName, size: content.utf8.count, bucket: own.value, objectPath: object.value,
                        storageURI: storageURI(own, object.value), sha256: hash, extractedText: content, metadata: .object(metadata),
                        extractionMetadata: .object(extraction)))
                return (row, false)
            }
        }
        try ServiceError.catching {
            try ProcessingRequest(
                userID: owner.value, bucket: own.value, filePath: object.value,
                fileType: given == nil ? "text/plain" : FileTypePolicy.contentType(ofExtension: FileTypePolicy.fileExtension(of: object.value)),
                fileSize: content.utf8.count,
                metadata: .object(Self.adding(["source": .string("whatsapp"), "file_id": .string(outcome.file.id)], to: clientMetadata))
            ).enqueue(on: core.jobs, enabled: processingEnabled)
        }
        context.log(.info, "whatsapp content stored", metadata: ["duplicate": .stringConvertible(outcome.duplicate)])
        return .json(
            .object([
                "success": .bool(true), "message": .string("WhatsApp content stored in the knowledge base"),
                "file_id": .string(outcome.file.id), "file_name": .string(outcome.file.name), "duplicate": .bool(outcome.duplicate),
            ]))
    }

    /// The object a `gcs_path` names, which must be in `bucket` (the user's own): 403 otherwise.
    func ownObject(_ path: String, bucket: BucketName) throws(ServiceError) -> ObjectName {
        let schemes = ["gs://", "\(core.storage.backendName)://"]
        guard let scheme = schemes.first(where: { path.hasPrefix($0) }) else {
            throw Self.failure(.badRequest, "gcs_path must be a gs://<bucket>/<object> URI")
        }
        let rest = path.dropFirst(scheme.count)
        guard let slash = rest.firstIndex(of: "/"), rest[..<slash] == bucket.value, let object = ObjectName(String(rest[rest.index(after: slash)...]))
        else { throw Self.failure(.forbidden, "gcs_path must name an object in the user's own bucket") }
        return object
    }

    /// `extract {fileId}`: the owner's file's text is extracted again by the job worker; the
    /// row says when it is done (`content_extracted`, `extraction_metadata`).
    func extract(_ body: JSONObject, owner: UserID) throws -> Response {
        let file = try ownFile(body, owner: owner)
        guard ExtractionJob.format(ofExtension: file.fileExtension) != nil else {
            throw Self.failure(.unsupportedMediaType, "Content extraction is not available for .\(file.fileExtension) files", key: "message")
        }
        try ServiceError.catching { try ExtractionJob.enqueue(fileID: file.id, on: core.jobs, again: true) }
        return .json(
            .object([
                "success": .bool(true), "message": .string("Content extraction queued"), "fileId": .string(file.id),
                "content_extracted": .bool(file.contentExtracted),
            ]))
    }

    static func adding(_ pairs: KeyValuePairs<String, JSON>, to object: JSONObject) -> JSONObject {
        var result = object
        for (key, value) in pairs { result[key] = value }
        return result
    }

    /// An error with the original's `{success:false, error}` body (`extract`: `message`).
    static func failure(_ status: ServiceError.Code, _ message: String, key: String = "error") -> ServiceError {
        ServiceError(status, message, body: .object(["success": .bool(false), key: .string(message)]))
    }
}
