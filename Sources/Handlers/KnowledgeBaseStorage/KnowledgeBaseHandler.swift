import Logging
import Shared

/// `POST /functions/v1/knowledge-base-storage` (SPEC §5.4): a user's files in their own bucket.
/// The owner comes from the JWT (a service-role caller names `userId`); every read is scoped to
/// that owner. `GET …?link=<token>` serves a preview link (filesystem backend).
struct KnowledgeBaseHandler: RequestHandler {
    let functionName = "knowledge-base-storage"
    let cors: CORSPolicy
    let core: CoreServices
    let files: any KnowledgeFileStore
    let maxUploadBytes: Int
    let previewSeconds: Int
    let links: PreviewLink?
    /// Where links to this function start (`UB_PUBLIC_BASE_URL`, else the local stack's
    /// `UB_BASE_URL`; neither: links are relative). Never the request's `Host`, which the
    /// client chooses.
    let publicBaseURL: String
    let clock: @Sendable () -> Int

    init(core: CoreServices, files: any KnowledgeFileStore, environment: Environment, clock: @escaping @Sendable () -> Int = { UnixTime.now() })
        throws
    {
        self.core = core
        self.files = files
        self.maxUploadBytes = try environment.integer("KB_MAX_UPLOAD_BYTES", default: 25 << 20)
        self.previewSeconds = try environment.integer("KB_PREVIEW_SECONDS", default: 300)
        self.links = PreviewLink(environment: environment)
        var base = environment.get("UB_PUBLIC_BASE_URL") ?? environment.get("UB_BASE_URL") ?? ""
        while base.hasSuffix("/") { base.removeLast() }
        self.publicBaseURL = base
        self.cors = CORSPolicy(environment: environment, allowedMethods: ["POST", "GET", "OPTIONS"])
        self.clock = clock
    }

    func handle(_ request: Request, context: RequestContext) throws -> Response {
        if request.method == "GET", let token = request.queryValue("link") {
            return try servePreview(token)
        }
        guard request.method == "POST" else {
            throw ServiceError(.methodNotAllowed, "Method not allowed", body: .object(["error": .string("Method not allowed")]))
        }
        let caller = try core.authenticator.authenticateUserData(request)
        if let type = request.header("content-type"), type.lowercased().hasPrefix("multipart/form-data") {
            return try multipartUpload(request, contentType: type, caller: caller, context: context)
        }
        // A base64 file is read from the body where it is: the tree never holds a copy of it.
        if request.body.isEmpty { throw ServiceError.badRequest("Request body is empty; expected a JSON object") }
        let parsed: (JSON, [[String]: Range<Int>])
        do {
            parsed = try JSONParser.parseDeferringLongStrings(request.body, limits: Self.jsonLimits)
        } catch {
            throw Request.jsonError(error)
        }
        let body = try parsed.0.requireObject()
        let long = parsed.1
        if long.keys.contains(where: { $0 != ["file", "content"] }) {
            throw ServiceError(.payloadTooLarge, "Only file.content may be longer than \(Self.jsonLimits.deferStringsLongerThan!) bytes")
        }
        let owner = try Self.owner(caller: caller, body: body)
        switch try body.optionalString("action") {
        case "upload": return try upload(body, owner: owner, content: long[["file", "content"]].map { request.body[$0] }, context: context)
        case "list": return try list(body, owner: owner)
        case "delete": return try delete(body, owner: owner)
        case "content": return try content(body, owner: owner)
        case "stream": return try stream(body, owner: owner)
        case "preview": return try preview(body, owner: owner, request: request)
        default: throw ServiceError(.badRequest, "Invalid action", body: .object(["error": .string("Invalid action")]))
        }
    }

    /// The JWT's user; a body `userId` that names someone else is refused. The service role
    /// names the user.
    static func owner(caller: Caller, body: JSONObject) throws(ServiceError) -> UserID {
        let named = try body.optionalString("userId").flatMap { $0.isEmpty ? nil : $0 }
        switch caller {
        case .user(let id):
            if let named, named.lowercased() != id.lowercased() { throw ServiceError.forbidden("userId does not match the signed-in user") }
            guard let user = UserID(id) else { throw ServiceError(.unauthorized, "Invalid JWT") }
            return user
        case .serviceRole:
            guard let named else { throw ServiceError(.badRequest, "userId is required", body: .object(["error": .string("userId is required")])) }
            guard let user = UserID(named) else { throw ServiceError.badRequest("userId must be a UUID") }
            return user
        case .anonymous:
            throw ServiceError(.unauthorized, "This action needs a user or service-role token")
        }
    }

    // MARK: upload

    /// The knowledge base's JSON: the limits of every body, and a base64 file over 64 KiB left
    /// in the body (`parseDeferringLongStrings`).
    static let jsonLimits = JSONParser.Limits(maxDepth: 64, deferStringsLongerThan: 64 << 10)

    /// `upload` the original way: `{file:{name, type, content: base64}, metadata?}`.
    /// `longContent`: the raw bytes of a `file.content` the parser left in the body.
    private func upload(_ body: JSONObject, owner: UserID, content longContent: ArraySlice<UInt8>?, context: RequestContext) throws
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
    private func multipartUpload(_ request: Request, contentType: String, caller: Caller, context: RequestContext) throws -> Response {
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
    private func store(name: String, bytes: ArraySlice<UInt8>, metadata clientMetadata: JSONObject?, owner: UserID, context: RequestContext) throws
        -> Response
    {
        guard (1...255).contains(name.utf8.count), !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
            !name.allSatisfy({ $0 == "." || $0 == " " })
        else { throw ServiceError.badRequest("Invalid file name") }
        if bytes.count > maxUploadBytes { throw Self.tooLarge(maxUploadBytes) }
        guard !bytes.isEmpty else { throw ServiceError.badRequest("The file is empty") }
        let contentType: String
        switch FileTypePolicy.check(name: name, bytes: bytes) {
        case .accepted(let type): contentType = type
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
            try core.mappings.withExclusiveLock("kb:\(owner.value):\(sha256)") {
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
                // Text up to 1 MiB is kept in the row for `content`; larger text is read from storage.
                let text = FileTypePolicy.isText(name: name) && bytes.count <= 1 << 20 ? String(validating: bytes, as: UTF8.self) : nil
                metadata["content_extracted"] = .bool(text != nil)
                let row = try files.insert(
                    NewKnowledgeFile(
                        userID: owner.value, name: name, size: bytes.count, bucket: ensured.name.value, objectPath: objectPath,
                        storageURI: storageURI(ensured.name, objectPath), sha256: sha256, extractedText: text, metadata: .object(metadata)))
                return (row, false)
            }
        }
        context.log(.info, "file stored", metadata: ["duplicate": .stringConvertible(outcome.duplicate)])
        var data = outcome.file.listJSON.objectValue!
        data["gcs_bucket"] = outcome.file.bucket.map(JSON.string) ?? .null
        data["content_extracted"] = .bool(outcome.file.contentExtracted)
        return .json(.object(["success": .bool(true), "duplicate": .bool(outcome.duplicate), "data": .object(data)]))
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

    private static func tooLarge(_ limit: Int) -> ServiceError {
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

    private func storageURI(_ bucket: BucketName, _ path: String) -> String {
        "\(core.storage.backendName == "gcs" ? "gs" : core.storage.backendName)://\(bucket.value)/\(path)"
    }

    // MARK: reading

    private func list(_ body: JSONObject, owner: UserID) throws -> Response {
        let limit = try body.optionalInt("limit") ?? 100
        let offset = try body.optionalInt("offset") ?? 0
        guard (1...1000).contains(limit), (0...1_000_000_000).contains(offset) else {
            throw ServiceError.badRequest("limit must be 1–1000 and offset 0–1000000000")
        }
        let rows = try ServiceError.catching { try files.list(userID: owner.value, limit: limit, offset: offset) }
        return .json(.object(["data": .array(rows.map(\.listJSON))]))
    }

    /// The caller's file by `fileId` (or, for delete, `fileName`): 404 when it is not theirs.
    private func ownFile(_ body: JSONObject, owner: UserID, byName: Bool = false) throws -> KnowledgeFile {
        let id = try body.optionalString("fileId")
        let name = byName ? try body.optionalString("fileName") : nil
        guard id != nil || name != nil else {
            throw ServiceError(
                .badRequest, byName ? "File name required" : "fileId required",
                body: .object(["error": .string(byName ? "File name required" : "fileId required")]))
        }
        let found = try ServiceError.catching {
            try id.map { try files.file(userID: owner.value, id: $0) } ?? name.map { try files.file(userID: owner.value, name: $0) } ?? nil
        }
        guard let found else { throw ServiceError(.notFound, "File not found", body: .object(["error": .string("File not found")])) }
        return found
    }

    /// Bucket and object of a row (rows written by the original keep a `gs://` URI).
    private func location(of file: KnowledgeFile) throws(ServiceError) -> (BucketName, ObjectName) {
        var path = file.objectPath ?? file.url ?? ""
        var bucketText = file.bucket
        if let schemeEnd = path.firstIndex(of: ":"), path[schemeEnd...].hasPrefix("://") {
            let rest = path[path.index(schemeEnd, offsetBy: 3)...]
            let parts = rest.split(separator: "/", maxSplits: 1)
            if parts.count == 2 {
                bucketText = bucketText ?? String(parts[0])
                path = String(parts[1])
            }
        }
        guard let bucketText, let bucket = BucketName(bucketText), let name = ObjectName(path) else {
            throw ServiceError(.notFound, "File not stored", body: .object(["success": .bool(false), "error": .string("File not stored")]))
        }
        return (bucket, name)
    }

    private func read(_ file: KnowledgeFile) throws -> [UInt8] {
        let (bucket, name) = try location(of: file)
        var bytes: [UInt8] = []
        let limit = max(maxUploadBytes, file.size) + 1
        let found = try ServiceError.catching {
            try core.storage.readObject(name, in: bucket) { piece in
                guard bytes.count + piece.count <= limit else { throw StorageError(.rejected, "object larger than expected") }
                bytes.append(contentsOf: piece)
            }
        }
        guard found != nil else { throw ServiceError(.notFound, "File not found", body: .object(["error": .string("File not found")])) }
        return bytes
    }

    private func delete(_ body: JSONObject, owner: UserID) throws -> Response {
        let file = try ownFile(body, owner: owner, byName: true)
        if let (bucket, name) = try? location(of: file),
            try !ServiceError.catching({ try files.objectIsShared(bucket: bucket.value, objectPath: name.value, besides: file.id) })
        {
            // Object first: if it cannot be deleted the row stays and says where it is.
            _ = try ServiceError.catching { try core.storage.deleteObject(name, in: bucket) }
        }
        try ServiceError.catching { try files.delete(userID: owner.value, id: file.id) }
        return .json(.object(["success": .bool(true), "message": .string("File deleted successfully")]))
    }

    private func content(_ body: JSONObject, owner: UserID) throws -> Response {
        let file = try ownFile(body, owner: owner)
        let type = FileTypePolicy.contentType(ofName: file.name)
        if file.contentExtracted, let text = file.extractedContent {
            return .json(.object(["success": .bool(true), "content": .string(text), "contentType": .string(type)]))
        }
        guard FileTypePolicy.isText(name: file.name) else {
            throw ServiceError(
                .badRequest, "Binary files should use streaming endpoint instead of content endpoint",
                body: .object(["success": .bool(false), "error": .string("Binary files should use streaming endpoint instead of content endpoint")]))
        }
        let text = String(decoding: try read(file), as: UTF8.self)
        return .json(.object(["success": .bool(true), "content": .string(text), "contentType": .string(type)]))
    }

    private func stream(_ body: JSONObject, owner: UserID) throws -> Response {
        try download(try ownFile(body, owner: owner))
    }

    /// The file's bytes, streamed from storage as they are sent (never whole in memory).
    private func download(_ file: KnowledgeFile) throws -> Response {
        let (bucket, name) = try location(of: file)
        let storage = core.storage
        var response = Response(
            status: .ok,
            headers: [
                HTTPHeader("Content-Type", FileTypePolicy.contentType(ofName: file.name)),
                HTTPHeader("Content-Disposition", Self.contentDisposition(file.name)), HTTPHeader("Cache-Control", "private, no-store"),
                HTTPHeader("X-Content-Type-Options", "nosniff"),
            ])
        response.bodyStream = ResponseBodyStream { write in
            let found = try storage.readObject(name, in: bucket) { piece in try write(piece) }
            if found == nil { throw StorageError(.notFound, "the row's object is missing") }
        }
        return response
    }

    /// RFC 6266: an ASCII fallback no name can break out of, and the real name in RFC 5987 form.
    static func contentDisposition(_ name: String) -> String {
        let fallback = String(
            String.UnicodeScalarView(
                name.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" ? $0 : "_" }))
        var encoded = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                encoded.unicodeScalars.append(contentsOf: ["%", hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            }
        }
        return "inline; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }

    private func preview(_ body: JSONObject, owner: UserID, request: Request) throws -> Response {
        let file = try ownFile(body, owner: owner)
        let (bucket, name) = try location(of: file)
        if let url = try ServiceError.catching({ try core.storage.downloadURL(for: name, in: bucket, expiresIn: previewSeconds) }) {
            return .json(.object(["success": .bool(true), "url": .string(url), "expiresIn": .integer(previewSeconds)]))
        }
        guard let links else { throw ServiceError(.unavailable, "Preview links need KB_LINK_SECRET") }
        let token = links.token(userID: owner.value, fileID: file.id, expires: clock() + previewSeconds)
        return .json(
            .object([
                "success": .bool(true), "url": .string("\(publicBaseURL)/functions/v1/knowledge-base-storage?link=\(token)"),
                "expiresIn": .integer(previewSeconds),
            ]))
    }

    private func servePreview(_ token: String) throws -> Response {
        guard let links, let (userID, fileID) = links.verify(token, now: clock()),
            let file = try ServiceError.catching({ try files.file(userID: userID, id: fileID) })
        else { throw ServiceError(.forbidden, "Invalid or expired link", body: .object(["error": .string("Invalid or expired link")])) }
        return try download(file)
    }

}
