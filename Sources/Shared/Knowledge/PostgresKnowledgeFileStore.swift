/// `KnowledgeFileStore` on `public.knowledge_files`.
package final class PostgresKnowledgeFileStore: KnowledgeFileStore {
    private let connection: PostgresConnection

    package init(connection: PostgresConnection) {
        self.connection = connection
    }

    static let columns =
        "id, user_id, name, type, coalesce(size, 0) AS size, coalesce(url, gcs_path) AS url, gcs_bucket, storage_path, coalesce(content_extracted, false) AS content_extracted, extracted_content, to_json(created_at) #>> '{}' AS created_at, to_json(updated_at) #>> '{}' AS updated_at, metadata ->> 'file_extension' AS file_extension"
    static let insertRow = PreparedStatement(
        """
        INSERT INTO public.knowledge_files (user_id, name, type, size, url, storage_path, gcs_bucket, gcs_path, file_hash,
            content_extracted, extracted_content, metadata, extraction_metadata)
        VALUES ($1::uuid, $2, $3, $4::bigint, $5, $6, $7, $5, $8, $9::bool, $10, $11::jsonb, $12::jsonb)
        RETURNING \(columns)
        """)
    static let byHash = PreparedStatement(
        "SELECT \(columns) FROM public.knowledge_files WHERE user_id = $1::uuid AND file_hash = $2 ORDER BY created_at LIMIT 1")
    static let byID = PreparedStatement("SELECT \(columns) FROM public.knowledge_files WHERE user_id = $1::uuid AND id = $2::uuid")
    static let byName = PreparedStatement("SELECT \(columns) FROM public.knowledge_files WHERE user_id = $1::uuid AND name = $2 LIMIT 2")
    static let page = PreparedStatement(
        "SELECT \(columns) FROM public.knowledge_files WHERE user_id = $1::uuid ORDER BY created_at DESC, id LIMIT $2::int OFFSET $3::int")
    static let anyByID = PreparedStatement("SELECT \(columns) FROM public.knowledge_files WHERE id = $1::uuid")
    static let extraction = PreparedStatement(
        """
        UPDATE public.knowledge_files SET content_extracted = $2::bool, extracted_content = $3, extraction_metadata = $4::jsonb,
            metadata = coalesce(metadata, '{}'::jsonb) || jsonb_build_object('content_extracted', $2::bool)
        WHERE id = $1::uuid
        """)
    static let remove = PreparedStatement("DELETE FROM public.knowledge_files WHERE user_id = $1::uuid AND id = $2::uuid")
    static let shared = PreparedStatement(
        "SELECT EXISTS (SELECT 1 FROM public.knowledge_files WHERE gcs_bucket = $1 AND storage_path = $2 AND id <> $3::uuid) AS shared")

    package func insert(_ file: NewKnowledgeFile) throws -> KnowledgeFile {
        let row = try connection.execute(
            Self.insertRow,
            [
                file.userID, file.name, FileTypePolicy.kind(ofName: file.name), file.size, file.storageURI, file.objectPath,
                file.bucket, file.sha256, file.extractedText != nil, file.extractedText, file.metadata.serialized(),
                file.extractionMetadata?.serialized(),
            ]
        ).records.first
        guard let row else { throw PostgresError(kind: .statement, sqlState: nil, message: "insert returned no row") }
        return Self.file(row)
    }

    package func file(userID: String, sha256: String) throws -> KnowledgeFile? {
        try connection.execute(Self.byHash, [userID, sha256]).records.first.map(Self.file)
    }

    package func file(userID: String, id: String) throws -> KnowledgeFile? {
        guard UserID(id) != nil else { return nil }  // not a UUID: no such file (and no SQL error)
        return try connection.execute(Self.byID, [userID, id]).records.first.map(Self.file)
    }

    package func file(userID: String, name: String) throws -> KnowledgeFile? {
        let rows = try connection.execute(Self.byName, [userID, name]).records
        return rows.count == 1 ? Self.file(rows[0]) : nil
    }

    package func list(userID: String, limit: Int, offset: Int) throws -> [KnowledgeFile] {
        try connection.execute(Self.page, [userID, limit, offset]).records.map(Self.file)
    }

    package func delete(userID: String, id: String) throws {
        _ = try connection.execute(Self.remove, [userID, id])
    }

    package func objectIsShared(bucket: String, objectPath: String, besides id: String) throws -> Bool {
        try connection.execute(Self.shared, [bucket, objectPath, id]).records.first?.bool("shared") == true
    }

    package func file(id: String) throws -> KnowledgeFile? {
        guard UserID(id) != nil else { return nil }
        return try connection.execute(Self.anyByID, [id]).records.first.map(Self.file)
    }

    package func setExtraction(id: String, text: String?, metadata: JSON) throws {
        _ = try connection.execute(Self.extraction, [id, text != nil, text, metadata.serialized()])
    }

    private static func file(_ row: PostgresRow) -> KnowledgeFile {
        KnowledgeFile(
            id: row.string("id") ?? "", userID: row.string("user_id") ?? "", name: row.string("name") ?? "", type: row.string("type") ?? "file",
            size: row.int("size") ?? 0, url: row.string("url"), bucket: row.string("gcs_bucket"), objectPath: row.string("storage_path"),
            contentExtracted: row.bool("content_extracted") ?? false, extractedContent: row.string("extracted_content"),
            createdAt: row.string("created_at") ?? "", updatedAt: row.string("updated_at") ?? "", detectedExtension: row.string("file_extension"))
    }
}
