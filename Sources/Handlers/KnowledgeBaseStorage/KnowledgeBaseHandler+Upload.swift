import Logging
import Shared

/// `upload`: the original base64 JSON form and multipart/form-data, with the checks and the
/// write both share.
extension KnowledgeBaseHandler {
    /// The knowledge base's JSON: the limits of every body, and a base64 file over 64 KiB left
    /// in the body (`parseDeferringLongStrings`).
    static let jsonLimits = JSONParser.Limits(maxDepth: 64, deferStringsLongerThan: 64 << 10)

    /// `upload` the original way: `{file:{name, type, content: base64}, metadata?}`.
    /// `longContent`: the raw bytes of a `file.content` the parser left in the body.
    func upload(_ body: JSONObject, owner: UserID, content longContent: ArraySlice<UInt8>?, context: RequestContext) throws
        -> Response
    {
        guard case .object(let file)? = body["file"] else {
            throw ServiceError(.badRequest, "No file provided", body: .object(["error": .string("No file provided")]))
        }
        guard let name = try file.optionalString("name") else { throw ServiceError.badRequest("file.name and file.content (base64) are required") }
        let encoded: ArraySlice<UInt8>
        if let longContent {
            encoded = longContent
        } else if let text = try file.optionalString("content") {
            encoded = Array(text.utf8)[...]
        } else {
            throw ServiceError.badRequest("file.name and file.content (base64) are required")
        }
        // Refuse what is surely too large before decoding it.
        if encoded.count / 4 * 3 > maxUploadBytes + 3 { throw Self.tooLarge(maxUploadBytes) }
        guard let bytes = Self.decodeBase64(encoded) else {
            throw ServiceError(
                .badRequest, "Failed to decode base64", body: .object(["success": .bool(false), "error": .string("Failed to decode base64")]))
        }
        return try store(name: name, bytes: bytes[...], metadata: body["metadata"]?.objectValue, owner: owner, context: context)
    }

    /// Base64 (with or without a `data:…;base64,` prefix) as JSON wrote it: the only escape a
    /// base64 text can carry is `\/` (some encoders escape every slash).
    static func decodeBase64(_ raw: ArraySlice<UInt8>) -> [UInt8]? {
        var text = raw
        if text.starts(with: Array("data:".utf8)) {
            guard let comma = text.firstIndex(of: UInt8(ascii: ",")) else { return nil }
            text = text[(comma + 1)...]
        }
        guard text.contains(UInt8(ascii: "\\")) else { return Base64URL.decode(bytes: text) }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(text.count)
        var escaping = false
        for byte in text {
            if escaping {
                guard byte == UInt8(ascii: "/") else { return nil }
                unescaped.append(byte)
                escaping = false
            } else if byte == UInt8(ascii: "\\") {
                escaping = true
            } else {
                unescaped.append(byte)
            }
        }
        return escaping ? nil : Base64URL.decode(bytes: unescaped)
    }

    /// `upload` as `multipart/form-data` (supabase-js FormData): parts `file` (with a file
    /// name), and optionally `action` (`upload`), `userId` and `metadata` (JSON). The file is
    /// stored from the request body as it is: no base64, no copy.
    func multipartUpload(_ request: Request, contentType: String, caller: Caller, context: RequestContext) throws -> Response {
        let form = try MultipartFormData(body: request.body, contentType: contentType)
        var fields = JSONObject()
        var file: MultipartFormData.Part?
        for part in form.parts {
            switch part.name {
            case "file":
                guard file == nil, part.fileName != nil else { throw ServiceError.badRequest("Exactly one file part, with a file name, is expected") }
                file = part
            case "action", "userId", "metadata":
                guard fields[part.name] == nil, part.content.count <= 64 << 10 else {
                    throw ServiceError.badRequest("Repeated or oversized \(part.name) part")
                }
                fields[part.name] = .string(String(decoding: request.body[part.content], as: UTF8.self))
            default:
                throw ServiceError.badRequest("Unexpected multipart part")
            }
        }
        guard let file, let name = file.fileName else {
            throw ServiceError(.badRequest, "No file provided", body: .object(["error": .string("No file provided")]))
        }
        guard (try fields.optionalString("action")) ?? "upload" == "upload" else {
            throw ServiceError.badRequest("multipart/form-data is for upload only")
        }
        let owner = try Self.owner(caller: caller, body: fields)
        var metadata: JSONObject?
        if let text = try fields.optionalString("metadata") {
            guard let parsed = try? JSONParser.parse(text), let object = parsed.objectValue else {
                throw ServiceError.badRequest("metadata must be a JSON object")
            }
            metadata = object
        }
        return try store(name: name, bytes: request.body[file.content], metadata: metadata, owner: owner, context: context)
    }

    /// The checks and the write both upload forms share.
    func store(name: String, bytes: ArraySlice<UInt8>, metadata clientMetadata: JSONObject?, owner: UserID, context: RequestContext) throws
        -> Response
    {
        guard (1...255).contains(name.utf8.count), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
            !name.allSatisfy({ $0 == "." || $0 == " " })
        else { throw ServiceError.badRequest("Invalid file name") }
        if bytes.count > maxUploadBytes { throw Self.tooLarge(maxUploadBytes) }
        guard !bytes.isEmpty else { throw ServiceError.badRequest("The file is empty") }
        let contentType: String
        let fileExtension: String
        switch FileTypePolicy.check(name: name, bytes: bytes) {
        case .accepted(let ext, let type):
            fileExtension = ext
            contentType = type
        case .refused(let reason):
            throw ServiceError(.unsupportedMediaType, reason, body: .object(["success": .bool(false), "error": .string(reason)]))
        }
        let sha256 = Digest.hex(Digest.sha256(bytes))
        let now = clock()
        // A service-role caller names the owner: one that is not a user gets nothing written.
        guard try ServiceError.catching({ try core.directory.user(owner) }) != nil else { throw ServiceError.notFound("User not found") }
        let ensured = try core.provisioner.ensureUserBucket(owner)
        // The name carries the bytes' digest: two different files can never share an object,
        // whatever their names and however close in time they arrive.
        let objectPath =
            "knowledge-base/\(UnixTime.date(now))/\(MonotonicClock.wallMilliseconds())_\(sha256.prefix(16))_\(Self.sanitized(name))"
        // One upload of these bytes per user at a time, so a double click cannot make two rows.
        let outcome: (file: KnowledgeFile, duplicate: Bool) = try ServiceError.catching {
            try core.locks.withExclusiveLock("kb:\(owner.value):\(sha256)") {
                if let existing = try files.file(userID: owner.value, sha256: sha256) { return (existing, true) }
                let object = ObjectName(objectPath)!
                let write = try core.storage.putObject(
                    object, in: ensured.name, contentType: contentType, from: MemoryByteSource(bytes), ifAbsent: true)
                if write == .alreadyStored, try !Self.storedBytes(of: object, in: ensured.name, equal: bytes, storage: core.storage) {
                    // Only the same bytes may be taken as already stored (an earlier try of this
                    // upload that wrote the object and not the row).
                    throw ServiceError(.conflict, "Another object already has this file's name")
                }
                var metadata = clientMetadata ?? JSONObject()
                metadata["gcs_path"] = .string(storageURI(ensured.name, objectPath))
                metadata["uploaded_at"] = .string(UnixTime.iso8601(now))
                metadata["content_type"] = .string(contentType)
                metadata["file_extension"] = .string(fileExtension)
                // The text is extracted by the job worker (`extract` jobs): the row says when.
                metadata["content_extracted"] = .bool(false)
                let row = try files.insert(
                    NewKnowledgeFile(
                        userID: owner.value, name: name, size: bytes.count, bucket: ensured.name.value, objectPath: objectPath,
                        storageURI: storageURI(ensured.name, objectPath), sha256: sha256, extractedText: nil, metadata: .object(metadata)))
                return (row, false)
            }
        }
        // Also for a duplicate: an earlier try may have stored the row and not its jobs (each
        // job is queued once, whatever the number of tries).
        try ServiceError.catching { try queueJobs(for: outcome.file) }
        context.log(.info, "file stored", metadata: ["duplicate": .stringConvertible(outcome.duplicate)])
        var data = outcome.file.listJSON.objectValue!
        data["gcs_bucket"] = outcome.file.bucket.map(JSON.string) ?? .null
        data["content_extracted"] = .bool(outcome.file.contentExtracted)
        return .json(.object(["success": .bool(true), "duplicate": .bool(outcome.duplicate), "data": .object(data)]))
    }

    /// The file's `extract` job, or (for a type whose text is not extracted) its processing
    /// trigger at once; an extracted file's trigger is queued when its extraction ends.
    func queueJobs(for file: KnowledgeFile) throws {
        if ExtractionJob.format(ofExtension: file.fileExtension) != nil {
            try ExtractionJob.enqueue(fileID: file.id, on: core.jobs)
        } else {
            try ProcessingRequest(file: file)?.enqueue(on: core.jobs, enabled: processingEnabled)
        }
    }

    /// Whether the object holds exactly `bytes`, compared as it streams (nothing more is held).
    static func storedBytes(of name: ObjectName, in bucket: BucketName, equal bytes: ArraySlice<UInt8>, storage: any ObjectStorage) throws
        -> Bool
    {
        var offset = bytes.startIndex
        var same = true
        let stored = try storage.readObject(name, in: bucket) { chunk in
            guard same, chunk.count <= bytes.endIndex - offset, chunk.elementsEqual(bytes[offset..<(offset + chunk.count)]) else {
                same = false
                return
            }
            offset += chunk.count
        }
        return stored != nil && same && offset == bytes.endIndex
    }

    static func tooLarge(_ limit: Int) -> ServiceError {
        ServiceError(
            .payloadTooLarge, "File is larger than \(limit) bytes",
            body: .object(["success": .bool(false), "error": .string("File is larger than \(limit) bytes")]))
    }

    /// The name as an object-name segment: `[A-Za-z0-9.-]` kept, the rest `_`, at most 100.
    static func sanitized(_ name: String) -> String {
        var output = String(
            String.UnicodeScalarView(
                name.unicodeScalars.map { scalar in
                    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-")
                        ? scalar : "_"
                }))
        if output.hasPrefix(".") { output = "_" + output.dropFirst() }
        return String(output.suffix(100))
    }

    func storageURI(_ bucket: BucketName, _ path: String) -> String {
        core.storage.uri(of: path, in: bucket.value)
    }
}
