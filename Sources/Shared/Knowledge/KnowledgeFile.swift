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

    package init(
        id: String, userID: String, name: String, type: String, size: Int, url: String?, bucket: String?, objectPath: String?,
        contentExtracted: Bool, extractedContent: String?, createdAt: String, updatedAt: String
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

/// A file about to be recorded.
package struct NewKnowledgeFile: Sendable {
    package var userID: String
    package var name: String
    package var size: Int
    package var bucket: String
    package var objectPath: String
    package var storageURI: String
    package var sha256: String
    package var extractedText: String?
    package var metadata: JSON

    package init(
        userID: String, name: String, size: Int, bucket: String, objectPath: String, storageURI: String, sha256: String,
        extractedText: String?, metadata: JSON
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
}
