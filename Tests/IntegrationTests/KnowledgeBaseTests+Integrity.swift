import Foundation
import Shared
import Synchronization
import TestSupport
import Testing

/// Every row points at an object holding its own bytes; a missing object is a 404, not an
/// empty file; client mistakes are 4xx, not a database outage. On both backends.
extension KnowledgeBaseTests {
    func objectLocation(_ fileID: String) throws -> (bucket: String, path: String) {
        let row = try #require(try fixtures.rows("SELECT gcs_bucket, storage_path FROM knowledge_files WHERE id = $1::uuid", [fileID]).first)
        return (row[0] ?? "", row[1] ?? "")
    }

    func storage() -> any ObjectStorage {
        onGCS
            ? GCSObjectStorage(
                configuration: .init(baseURL: Stack.shared.values["STORAGE_EMULATOR_HOST"]!, projectID: "test"), client: CurlHTTPClient(),
                tokens: nil, signer: nil)
            : try! FileSystemObjectStorage(root: Stack.shared.storageDir)
    }

    func objectBytes(_ fileID: String) throws -> [UInt8]? {
        let (bucket, path) = try objectLocation(fileID)
        var bytes: [UInt8] = []
        let found = try storage().readObject(ObjectName(path)!, in: BucketName(bucket)!) { bytes.append(contentsOf: $0) }
        return found == nil ? nil : bytes
    }

    @Test func filesWithOneNameUploadedAtOnceEachKeepTheirOwnBytes() throws {
        let (_, token) = try newUser()
        let results = Mutex<[(index: Int, id: String?)]>([])
        let port = Stack.shared.port
        for batch in 0..<2 {
            runConcurrently(30) { index in
                let number = batch * 30 + index
                let body = JSON.object([
                    "action": .string("upload"),
                    "file": .object([
                        "name": .string("report.txt"), "type": .string("text/plain"),
                        "content": .string(Self.base64(Array("report number \(number)\n".utf8))),
                    ]),
                ])
                let answer = try? HTTPTestClient(port: port).post("knowledge-base-storage", json: body.serialized(), token: token)
                results.withLock { $0.append((number, answer?.json?["data"]?["id"]?.stringValue)) }
            }
        }
        let uploaded = results.withLock { $0 }
        #expect(uploaded.count == 60)
        #expect(uploaded.allSatisfy { $0.id != nil })
        let paths = try uploaded.compactMap(\.id).map { try objectLocation($0).path }
        #expect(Set(paths).count == 60)
        for (number, id) in uploaded {
            #expect(try objectBytes(id!) == Array("report number \(number)\n".utf8), "upload \(number)")
        }
        // Deleting one leaves every other file whole.
        let first = uploaded[0].id!
        #expect(try call(token, .object(["action": .string("delete"), "fileId": .string(first)])).status == 200)
        for (number, id) in uploaded.dropFirst() {
            #expect(try objectBytes(id!) == Array("report number \(number)\n".utf8), "upload \(number) after a delete")
        }
    }

    @Test func aRowWhoseObjectIsGoneIsNotFoundNotAnEmptyFile() throws {
        let (_, token) = try newUser()
        let uploaded = try upload(token, name: "gone.txt", bytes: Array("soon gone\n".utf8))
        let id = try #require(uploaded.json?["data"]?["id"]?.stringValue)
        let (bucket, path) = try objectLocation(id)
        #expect(try storage().deleteObject(ObjectName(path)!, in: BucketName(bucket)!))
        let stream = try call(token, .object(["action": .string("stream"), "fileId": .string(id)]))
        #expect(stream.status == 404)
        #expect(stream.json?["error"] == .string("File not found"))
        #expect(stream.header("x-request-id") != nil)
        if !onGCS {
            let preview = try call(token, .object(["action": .string("preview"), "fileId": .string(id)]))
            let url = try #require(preview.json?["url"]?.stringValue)
            let opened = try client.send("GET", String(url.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" }))
            #expect(opened.status == 404)
        }
    }

    @Test func storageFailingUnderAStreamIsA502() throws {
        guard !onGCS else { return }  // the emulator cannot be made to fail one read; the fault proxy tests cover GCS errors
        let (_, token) = try newUser()
        let uploaded = try upload(token, name: "broken.txt", bytes: Array("broken\n".utf8))
        let id = try #require(uploaded.json?["data"]?["id"]?.stringValue)
        let (bucket, path) = try objectLocation(id)
        // A link to itself where the file was: opening it fails (ELOOP, even for root), which is
        // storage failing, not a missing object.
        let file = Stack.shared.storageDir + "/" + bucket + "/" + path
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: file)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let stream = try call(token, .object(["action": .string("stream"), "fileId": .string(id)]))
        #expect(stream.status == 502, "\(stream.text)")
        #expect(stream.json?["error"] == .string("Storage unavailable"))
    }

    /// A preview link is built from configuration (the stack's base URL), never from the
    /// client's `Host` header.
    @Test func previewLinksIgnoreTheHostHeader() throws {
        guard !onGCS else { return }  // GCS answers with its own signed URL
        let (_, token) = try newUser()
        let uploaded = try upload(token, name: "host.txt", bytes: Array("host\n".utf8))
        let id = try #require(uploaded.json?["data"]?["id"]?.stringValue)
        let body = JSON.object(["action": .string("preview"), "fileId": .string(id)]).serialized()
        let preview = try client.send(
            "POST", "/functions/v1/\(function)",
            headers: ["Host": "evil.example", "X-Forwarded-Proto": "https", "Content-Type": "application/json", "Authorization": "Bearer \(token)"],
            body: Array(body.utf8))
        let url = try #require(preview.json?["url"]?.stringValue, "\(preview.text)")
        #expect(!url.contains("evil.example"))
        #expect(url.hasPrefix(Stack.shared.values["UB_BASE_URL"]! + "/functions/v1/knowledge-base-storage?link="), "\(url)")
    }

    @Test func clientMistakesAreClientErrorsNotADatabaseOutage() throws {
        let (_, token) = try newUser()
        let far = try call(token, .object(["action": .string("list"), "offset": .integer(1 << 31)]))
        #expect(far.status == 400, "\(far.text)")
        let nobody = UUID().uuidString.lowercased()
        let before = try storedObjects().count
        let upload = try upload(Tokens.serviceRole, name: "orphan.txt", bytes: Array("nobody's\n".utf8), userID: nobody)
        #expect(upload.status == 404, "\(upload.text)")
        #expect(upload.json?["error"] == .string("User not found"))
        #expect(try storedObjects().count == before)
        #expect(try fixtures.rows("SELECT 1 FROM user_bucket_mapping WHERE user_id = $1::uuid", [nobody]).isEmpty)
    }
}
