/// A `knowledge_files` row, as the web app sees it.
package struct KnowledgeFile: Sendable, Equatable {
    package var id: String
    package var userID: String
    package var name: String
    package var type: String
    package var size: Int
    package var url: String?
    package var bucket: String?
    package var objectPath: String?
    package var contentExtracted: Bool
    package var extractedContent: String?
    package var createdAt: String
    package var updatedAt: String
    /// The type the bytes showed when the name has no extension (`metadata.file_extension`).
    package var detectedExtension: String?

    package init(
        id: String, userID: String, name: String, type: String, size: Int, url: String?, bucket: String?, objectPath: String?,
        contentExtracted: Bool, extractedContent: String?, createdAt: String, updatedAt: String, detectedExtension: String? = nil
    ) {
        self.id = id
        self.userID = userID
        self.name = name
        self.type = type
        self.size = size
        self.url = url
        self.bucket = bucket
        self.objectPath = objectPath
        self.contentExtracted = contentExtracted
        self.extractedContent = extractedContent
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.detectedExtension = detectedExtension
    }

    /// The file's type as an extension: the name's, or for a name without one, what its bytes
    /// showed at upload.
    package var fileExtension: String {
        let named = FileTypePolicy.fileExtension(of: name)
        return named.isEmpty ? detectedExtension ?? "" : named
    }

    /// The original `list` item: `{id, name, type, size, url, user_id, created_at, updated_at}`,
    /// `type` re-derived from the name.
    package var listJSON: JSON {
        .object([
            "id": .string(id), "name": .string(name), "type": .string(FileTypePolicy.kind(ofName: name)), "size": .integer(size),
            "url": url.map(JSON.string) ?? .null, "user_id": .string(userID), "created_at": .string(createdAt),
            "updated_at": .string(updatedAt),
        ])
    }
}

extension KnowledgeFile {
    /// Bucket and object of the row (rows written by the original keep a `gs://` URI in
    /// `storage_path`/`url`); nil when it names none.
    package var storageLocation: (bucket: BucketName, object: ObjectName)? {
        var path = objectPath ?? url ?? ""
        var bucketText = bucket
        if let schemeEnd = path.firstIndex(of: ":"), path[schemeEnd...].hasPrefix("://") {
            let rest = path[path.index(schemeEnd, offsetBy: 3)...]
            let parts = rest.split(separator: "/", maxSplits: 1)
            if parts.count == 2 {
                bucketText = bucketText ?? String(parts[0])
                path = String(parts[1])
            }
        }
        guard let bucketText, let bucket = BucketName(bucketText), let name = ObjectName(path) else { return nil }
        return (bucket, name)
    }
}

/// A file about to be recorded.
package struct NewKnowledgeFile: Sendable {
    package var userID: String
    package var name: String
    package var size: Int
    package var bucket: String
    package var objectPath: String
    package var storageURI: String
    /// `file_hash`: the bytes' SHA-256 (hex) for an upload.
    package var sha256: String
    package var extractedText: String?
    package var metadata: JSON
    package var extractionMetadata: JSON?

    package init(
        userID: String, name: String, size: Int, bucket: String, objectPath: String, storageURI: String, sha256: String,
        extractedText: String?, metadata: JSON, extractionMetadata: JSON? = nil
    ) {
        self.userID = userID
        self.name = name
        self.size = size
        self.bucket = bucket
        self.objectPath = objectPath
        self.storageURI = storageURI
        self.sha256 = sha256
        self.extractedText = extractedText
        self.metadata = metadata
        self.extractionMetadata = extractionMetadata
    }
}

/// Where knowledge files are recorded: the seam between the function and the database.
/// Every read is scoped to the owner.
package protocol KnowledgeFileStore: AnyObject {
    func insert(_ file: NewKnowledgeFile) throws -> KnowledgeFile
    /// The owner's file with these bytes, if they uploaded them before.
    func file(userID: String, sha256: String) throws -> KnowledgeFile?
    func file(userID: String, id: String) throws -> KnowledgeFile?
    /// By name: nil when there is none or several (the original's exactly-one rule).
    func file(userID: String, name: String) throws -> KnowledgeFile?
    func list(userID: String, limit: Int, offset: Int) throws -> [KnowledgeFile]
    func delete(userID: String, id: String) throws
    /// Whether a row other than `id` points at the same object (rows made before object names
    /// carried the bytes' digest could share one): its object must then stay.
    func objectIsShared(bucket: String, objectPath: String, besides id: String) throws -> Bool
    /// Any owner's file by id: for the job worker, whose jobs name the file.
    func file(id: String) throws -> KnowledgeFile?
    /// Records an extraction's outcome: the text (nil: none) and how it was made.
    func setExtraction(id: String, text: String?, metadata: JSON) throws
}
