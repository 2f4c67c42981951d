import Synchronization

/// `KnowledgeFileStore` in memory, for tests; reads are scoped to the owner as in SQL.
package final class InMemoryKnowledgeFileStore: KnowledgeFileStore, Sendable {
    private struct Row: Sendable {
        var file: KnowledgeFile
        var sha256: String
    }

    private let rows = Mutex<[Row]>([])
    private let clock: @Sendable () -> String

    package init(clock: @escaping @Sendable () -> String = { UnixTime.iso8601(UnixTime.now()) }) {
        self.clock = clock
    }

    package func insert(_ new: NewKnowledgeFile) throws -> KnowledgeFile {
        let now = clock()
        return rows.withLock { rows in
            let file = KnowledgeFile(
                id: Self.uuid(rows.count + 1),
                userID: new.userID, name: new.name, type: FileTypePolicy.kind(ofName: new.name), size: new.size, url: new.storageURI,
                bucket: new.bucket, objectPath: new.objectPath, contentExtracted: new.extractedText != nil, extractedContent: new.extractedText,
                createdAt: now, updatedAt: now, detectedExtension: new.metadata["file_extension"]?.stringValue)
            rows.append(Row(file: file, sha256: new.sha256))
            return file
        }
    }

    /// A UUID-shaped id for the `number`th row (ids are UUIDs in SQL).
    private static func uuid(_ number: Int) -> String {
        let hex = String(number, radix: 16)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    package func file(userID: String, sha256: String) throws -> KnowledgeFile? {
        rows.withLock { $0.first { $0.file.userID == userID && $0.sha256 == sha256 }?.file }
    }

    package func file(userID: String, id: String) throws -> KnowledgeFile? {
        rows.withLock { $0.first { $0.file.userID == userID && $0.file.id == id }?.file }
    }

    package func file(userID: String, name: String) throws -> KnowledgeFile? {
        rows.withLock { rows in
            let named = rows.filter { $0.file.userID == userID && $0.file.name == name }
            return named.count == 1 ? named[0].file : nil
        }
    }

    package func list(userID: String, limit: Int, offset: Int) throws -> [KnowledgeFile] {
        rows.withLock { Array($0.filter { $0.file.userID == userID }.reversed().dropFirst(offset).prefix(limit).map(\.file)) }
    }

    package func delete(userID: String, id: String) throws {
        rows.withLock { $0.removeAll { $0.file.userID == userID && $0.file.id == id } }
    }

    package func file(id: String) throws -> KnowledgeFile? {
        rows.withLock { $0.first { $0.file.id == id }?.file }
    }

    package func setExtraction(id: String, text: String?, metadata: JSON) throws {
        rows.withLock { rows in
            for index in rows.indices where rows[index].file.id == id {
                rows[index].file.contentExtracted = text != nil
                rows[index].file.extractedContent = text
            }
        }
    }

    package func objectIsShared(bucket: String, objectPath: String, besides id: String) throws -> Bool {
        rows.withLock { $0.contains { $0.file.bucket == bucket && $0.file.objectPath == objectPath && $0.file.id != id } }
    }
}
