/// The original's call to `vertex-ai-rag-processor` after a file arrived (`ORIGINAL.md` §8.2):
/// `{userId, bucketName, fileName, filePath, fileType, fileSize, metadata}`. Made by the job
/// worker (`kb_processing` jobs), never by the request that stored the file.
package struct ProcessingRequest: Sendable, Equatable {
    package var userID: String
    package var bucket: String
    /// The object's path in the bucket.
    package var filePath: String
    /// The media type.
    package var fileType: String
    package var fileSize: Int
    package var metadata: JSON

    package init(userID: String, bucket: String, filePath: String, fileType: String, fileSize: Int, metadata: JSON) {
        self.userID = userID
        self.bucket = bucket
        self.filePath = filePath
        self.fileType = fileType
        self.fileSize = fileSize
        self.metadata = metadata
    }

    /// The call for a knowledge file as stored (nil when the row names no object): the one
    /// shape the upload and the extraction job both queue.
    package init?(file: KnowledgeFile) {
        guard let (bucket, object) = file.storageLocation else { return nil }
        self.init(
            userID: file.userID, bucket: bucket.value, filePath: object.value,
            fileType: FileTypePolicy.contentType(ofExtension: file.fileExtension), fileSize: file.size,
            metadata: .object(["source": .string("knowledge_base"), "file_id": .string(file.id), "file_name": .string(file.name)]))
    }

    package static let jobKind = "kb_processing"

    /// One call per stored object.
    package var dedupeKey: String { "\(Self.jobKind):\(bucket)/\(filePath)" }

    /// The object's base name, as the original sent it.
    package var fileName: String { String(filePath.split(separator: "/").last ?? Substring(filePath)) }

    /// The processor's request body (and the job's payload).
    package var json: JSON {
        .object([
            "userId": .string(userID), "bucketName": .string(bucket), "fileName": .string(fileName), "filePath": .string(filePath),
            "fileType": .string(fileType), "fileSize": .integer(fileSize), "metadata": metadata,
        ])
    }

    package init?(json: JSON) {
        guard let user = json["userId"]?.stringValue, let bucket = json["bucketName"]?.stringValue,
            let path = json["filePath"]?.stringValue, let type = json["fileType"]?.stringValue, let size = json["fileSize"]?.intValue
        else { return nil }
        self.init(userID: user, bucket: bucket, filePath: path, fileType: type, fileSize: size, metadata: json["metadata"] ?? .object([:]))
    }

    /// Queues the call; nothing when no processor is configured.
    package func enqueue(on queue: any JobQueue, enabled: Bool) throws {
        guard enabled else { return }
        try queue.enqueue(kind: Self.jobKind, payload: json, dedupeKey: dedupeKey)
    }
}
