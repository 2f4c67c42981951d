/// `KnowledgeFileStore` on `public.knowledge_files`.
package final class PostgresKnowledgeFileStore: KnowledgeFileStore {
    private let connection: PostgresConnection

    package init(connection: PostgresConnection) {
        self.connection = connection
    }

    static let columns =
        "id, user_id, name, type, coalesce(size, 0), coalesce(url, gcs_path), gcs_bucket, storage_path, coalesce(content_extracted, false), extracted_content, created_at::text, updated_at::text"
    static let insertRow = PreparedStatement(
        """
        INSERT INTO public.knowledge_files (user_id, name, type, size, url, storage_path, gcs_bucket, gcs_path, file_hash,
            content_extracted, extracted_content, metadata)
        VALUES ($1::uuid, $2, $3, $4::bigint, $5, $6, $7, $5, $8, $9::bool, $10, $11::jsonb)
        RETURNING \(columns)
        """)
    static let byHash = PreparedStatement(
        "SELECT \(columns) FROM public.knowledge_files WHERE user_id = $1::uuid AND file_hash = $2 ORDER BY created_at LIMIT 1")
    static let byID = PreparedStatement("SELECT \(columns) FROM public.knowledge_files WHERE user_id = $1::uuid AND id = $2::uuid")
    static let byName = PreparedStatement("SELECT \(columns) FROM public.knowledge_files WHERE user_id = $1::uuid AND name = $2 LIMIT 2")
    static let page = PreparedStatement(
        "SELECT \(columns) FROM public.knowledge_files WHERE user_id = $1::uuid ORDER BY created_at DESC, id LIMIT $2::int OFFSET $3::int")
    static let remove = PreparedStatement("DELETE FROM public.knowledge_files WHERE user_id = $1::uuid AND id = $2::uuid")
    static let shared = PreparedStatement(
        "SELECT EXISTS (SELECT 1 FROM public.knowledge_files WHERE gcs_bucket = $1 AND storage_path = $2 AND id <> $3::uuid)")

    package func insert(_ file: NewKnowledgeFile) throws -> KnowledgeFile {
        let row = try connection.execute(
            Self.insertRow,
            [
                file.userID, file.name, FileTypePolicy.kind(ofName: file.name), String(file.size), file.storageURI, file.objectPath,
                file.bucket, file.sha256, file.extractedText == nil ? "false" : "true", file.extractedText, file.metadata.serialized(),
            ]
        ).rows.first
        guard let row else { throw PostgresError(kind: .statement, sqlState: nil, message: "insert returned no row") }
        return Self.file(row)
    }

    package func file(userID: String, sha256: String) throws -> KnowledgeFile? {
        try connection.execute(Self.byHash, [userID, sha256]).rows.first.map(Self.file)
    }

    package func file(userID: String, id: String) throws -> KnowledgeFile? {
        guard UserID(id) != nil else { return nil }  // not a UUID: no such file (and no SQL error)
        return try connection.execute(Self.byID, [userID, id]).rows.first.map(Self.file)
    }

    package func file(userID: String, name: String) throws -> KnowledgeFile? {
        let rows = try connection.execute(Self.byName, [userID, name]).rows
        return rows.count == 1 ? Self.file(rows[0]) : nil
    }

    package func list(userID: String, limit: Int, offset: Int) throws -> [KnowledgeFile] {
        try connection.execute(Self.page, [userID, String(limit), String(offset)]).rows.map(Self.file)
    }

    package func delete(userID: String, id: String) throws {
        _ = try connection.execute(Self.remove, [userID, id])
    }

    package func objectIsShared(bucket: String, objectPath: String, besides id: String) throws -> Bool {
        try connection.execute(Self.shared, [bucket, objectPath, id]).rows.first?[0] == "t"
    }

    private static func file(_ row: [String?]) -> KnowledgeFile {
        KnowledgeFile(
            id: row[0] ?? "", userID: row[1] ?? "", name: row[2] ?? "", type: row[3] ?? "file", size: Int(row[4] ?? "") ?? 0, url: row[5],
            bucket: row[6], objectPath: row[7], contentExtracted: row[8] == "t", extractedContent: row[9], createdAt: row[10] ?? "",
            updatedAt: row[11] ?? "")
    }
}
