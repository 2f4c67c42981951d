import Logging
import Shared

/// `list`, `delete`, `content`, `stream` and `preview` (and the links `preview` makes).
extension KnowledgeBaseHandler {
    func list(_ body: JSONObject, owner: UserID) throws -> Response {
        let limit = try body.optionalInt("limit") ?? 100
        let offset = try body.optionalInt("offset") ?? 0
        guard (1...1000).contains(limit), (0...1_000_000_000).contains(offset) else {
            throw ServiceError.badRequest("limit must be 1–1000 and offset 0–1000000000")
        }
        let rows = try ServiceError.catching { try files.list(userID: owner.value, limit: limit, offset: offset) }
        return .json(.object(["data": .array(rows.map(\.listJSON))]))
    }

    /// The caller's file by `fileId` (or, for delete, `fileName`): 404 when it is not theirs.
    func ownFile(_ body: JSONObject, owner: UserID, byName: Bool = false) throws -> KnowledgeFile {
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
    func location(of file: KnowledgeFile) throws(ServiceError) -> (BucketName, ObjectName) {
        guard let location = file.storageLocation else {
            throw ServiceError(.notFound, "File not stored", body: .object(["success": .bool(false), "error": .string("File not stored")]))
        }
        return location
    }

    func read(_ file: KnowledgeFile) throws -> [UInt8] {
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

    func delete(_ body: JSONObject, owner: UserID) throws -> Response {
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

    func content(_ body: JSONObject, owner: UserID) throws -> Response {
        let file = try ownFile(body, owner: owner)
        let type = FileTypePolicy.originalContentType(ofExtension: file.fileExtension)
        if file.contentExtracted, let text = file.extractedContent {
            return .json(.object(["success": .bool(true), "content": .string(text), "contentType": .string(type)]))
        }
        guard FileTypePolicy.isText(extension: file.fileExtension) else {
            throw ServiceError(
                .badRequest, "Binary files should use streaming endpoint instead of content endpoint",
                body: .object(["success": .bool(false), "error": .string("Binary files should use streaming endpoint instead of content endpoint")]))
        }
        let text = String(decoding: try read(file), as: UTF8.self)
        return .json(.object(["success": .bool(true), "content": .string(text), "contentType": .string(type)]))
    }

    func stream(_ body: JSONObject, owner: UserID) throws -> Response {
        try download(try ownFile(body, owner: owner))
    }

    /// The file's bytes, streamed from storage as they are sent (never whole in memory).
    func download(_ file: KnowledgeFile) throws -> Response {
        let (bucket, name) = try location(of: file)
        let storage = core.storage
        let active = FileTypePolicy.isActive(extension: file.fileExtension)
        var headers = [
            HTTPHeader("Content-Type", FileTypePolicy.contentType(ofExtension: file.fileExtension)),
            HTTPHeader("Content-Disposition", Self.contentDisposition(file.name, attachment: active)),
            HTTPHeader("Cache-Control", "private, no-store"), HTTPHeader("X-Content-Type-Options", "nosniff"),
        ]
        // An SVG can carry script: never rendered as a page of ours.
        if active { headers.append(HTTPHeader("Content-Security-Policy", "sandbox")) }
        var response = Response(status: .ok, headers: headers)
        response.bodyStream = ResponseBodyStream { write in
            let found = try storage.readObject(name, in: bucket) { piece in try write(piece) }
            if found == nil { throw StorageError(.notFound, "the row's object is missing") }
        }
        return response
    }

    /// RFC 6266: an ASCII fallback no name can break out of, and the real name in RFC 5987 form.
    static func contentDisposition(_ name: String, attachment: Bool = false) -> String {
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
        return "\(attachment ? "attachment" : "inline"); filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }

    func preview(_ body: JSONObject, owner: UserID, request: Request) throws -> Response {
        let file = try ownFile(body, owner: owner)
        let (bucket, name) = try location(of: file)
        // An SVG is served by this function only (as a sandboxed attachment), never straight
        // from storage, which would show it inline.
        if !FileTypePolicy.isActive(extension: file.fileExtension),
            let url = try ServiceError.catching({ try core.storage.downloadURL(for: name, in: bucket, expiresIn: previewSeconds) })
        {
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

    func servePreview(_ token: String) throws -> Response {
        guard let links, let (userID, fileID) = links.verify(token, now: clock()),
            let file = try ServiceError.catching({ try files.file(userID: userID, id: fileID) })
        else { throw ServiceError(.forbidden, "Invalid or expired link", body: .object(["error": .string("Invalid or expired link")])) }
        return try download(file)
    }
}
