import Foundation
import Shared
import Testing

/// `knowledge-base-storage` through nginx and PostgreSQL, on whichever backend the stack runs
/// (the test command runs this suite on a filesystem stack and again on a GCS-emulator stack):
/// every action, every way of reaching someone else's file, and the upload limits.
@Suite(.onTheStack, .serialized)
struct KnowledgeBaseTests {
    let client = Stack.shared.client()
    let fixtures = Fixtures()
    let function = "knowledge-base-storage"
    let onGCS = Stack.shared.values["STORAGE_BACKEND"] == "gcs"

    /// Names of stored knowledge-base objects (object paths under each bucket of this stack).
    func storedObjects() throws -> [String] {
        if !onGCS {
            let found = try Stack.shared.shell(#"cd "$STORAGE_DIR" && find . -path '*/knowledge-base/*' -type f"#).output
            return found.split(separator: "\n").map { String($0.dropFirst(2)) }
        }
        let gcs = GCSObjectStorage(
            configuration: .init(baseURL: Stack.shared.values["STORAGE_EMULATOR_HOST"]!, projectID: "test"), client: CurlHTTPClient(),
            tokens: nil, signer: nil)
        var names: [String] = []
        for bucket in try gcs.listBuckets(prefix: Stack.shared.prefix, pageToken: nil, maxResults: 1000).names {
            for object in try gcs.listObjects(in: BucketName(bucket)!, prefix: "knowledge-base/", pageToken: nil, maxResults: 1000).objects {
                names.append(bucket + "/" + object.name)
            }
        }
        return names
    }

    func call(_ token: String?, _ json: JSON) throws -> HTTPTestClient.Result {
        try client.post(function, json: json.serialized(), token: token)
    }

    func upload(_ token: String, name: String, bytes: [UInt8], userID: String? = nil) throws -> HTTPTestClient.Result {
        try call(
            token,
            .object([
                "action": .string("upload"), "userId": userID.map(JSON.string),
                "file": .object(["name": .string(name), "type": .string("text/plain"), "content": .string(Self.base64(bytes))]),
            ]))
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    func newUser() throws -> (id: String, token: String) {
        let id = try fixtures.user()
        return (id, Tokens.user(id))
    }

    @Test func aUserUploadsListsReadsStreamsPreviewsAndDeletesTheirFile() throws {
        let (user, token) = try newUser()
        let text = Array("Notas da reunião: lançamento em março.\n".utf8)
        let uploaded = try upload(token, name: "notas reunião.txt", bytes: text)
        #expect(uploaded.status == 200, "\(uploaded.text)")
        let data = try #require(uploaded.json?["data"])
        #expect(uploaded.json?["success"] == .bool(true))
        #expect(uploaded.json?["duplicate"] == .bool(false))
        #expect(data["name"] == .string("notas reunião.txt"))
        #expect(data["size"]?.intValue == text.count)
        #expect(data["user_id"] == .string(user))
        let id = try #require(data["id"]?.stringValue)
        let again = try upload(token, name: "copy.txt", bytes: text)
        #expect(again.json?["duplicate"] == .bool(true))
        #expect(again.json?["data"]?["id"] == .string(id))

        let listed = try call(token, .object(["action": .string("list")]))
        #expect(listed.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [id])
        let content = try call(token, .object(["action": .string("content"), "fileId": .string(id)]))
        #expect(content.json?["content"] == .string(String(decoding: text, as: UTF8.self)))
        let stream = try call(token, .object(["action": .string("stream"), "fileId": .string(id)]))
        #expect(stream.status == 200)
        #expect(stream.body == text)
        #expect(stream.header("content-type") == "text/plain; charset=utf-8")
        #expect(stream.header("content-disposition") == "inline; filename=\"notas reuni_o.txt\"; filename*=UTF-8''notas%20reuni%C3%A3o.txt")
        let preview = try call(token, .object(["action": .string("preview"), "fileId": .string(id)]))
        let url = try #require(preview.json?["url"]?.stringValue)
        var path = ""
        if onGCS {
            #expect(url.hasPrefix(Stack.shared.values["STORAGE_EMULATOR_HOST"]! + "/download/storage/v1/b/"))
            #expect(try CurlHTTPClient().send(HTTPClientRequest(url: url)).body == text)
        } else {
            path = String(url.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" })
            let opened = try client.send("GET", path)
            #expect(opened.status == 200)
            #expect(opened.body == text)
            // A link with any part changed is worthless.
            let token64 = String(path.split(separator: "=").last!)
            var parts = token64.split(separator: ".").map(String.init)
            parts[2] = String(Int(parts[2])! + 3600)
            #expect(try client.send("GET", "/functions/v1/\(function)?link=" + parts.joined(separator: ".")).status == 403)
            parts = token64.split(separator: ".").map(String.init)
            parts[1] = UUID().uuidString.lowercased()
            #expect(try client.send("GET", "/functions/v1/\(function)?link=" + parts.joined(separator: ".")).status == 403)
        }
        #expect(try storedObjects().contains { $0.hasSuffix("_notas_reuni_o.txt") })

        let deleted = try call(token, .object(["action": .string("delete"), "fileId": .string(id)]))
        #expect(deleted.json?["success"] == .bool(true))
        #expect(try call(token, .object(["action": .string("list")])).json?["data"]?.arrayValue?.isEmpty == true)
        if onGCS {
            #expect(try CurlHTTPClient().send(HTTPClientRequest(url: url)).status == 404)
        } else {
            #expect(try client.send("GET", path).status == 403)
        }
        #expect(try !storedObjects().contains { $0.hasSuffix("_notas_reuni_o.txt") })
    }

    @Test func noTrickReachesAnotherUsersFile() throws {
        let (owner, ownerToken) = try newUser()
        let (intruder, intruderToken) = try newUser()
        let secret = try upload(ownerToken, name: "secret.txt", bytes: Array("owner only".utf8))
        let id = try #require(secret.json?["data"]?["id"]?.stringValue)
        for action in ["content", "stream", "preview", "delete"] {
            let result = try call(intruderToken, .object(["action": .string(action), "fileId": .string(id)]))
            #expect(result.status == 404, "\(action): \(result.text)")
        }
        let byBody = try call(intruderToken, .object(["action": .string("list"), "userId": .string(owner)]))
        #expect(byBody.status == 403)
        let byName = try call(intruderToken, .object(["action": .string("delete"), "fileName": .string("../\(owner)/secret.txt")]))
        #expect(byName.status == 404)
        let sameName = try call(intruderToken, .object(["action": .string("delete"), "fileName": .string("secret.txt")]))
        #expect(sameName.status == 404)
        #expect(try call(intruderToken, .object(["action": .string("list")])).json?["data"]?.arrayValue?.isEmpty == true)
        _ = intruder
        #expect(try call(nil, .object(["action": .string("list")])).status == 401)
        #expect(try call(Tokens.anon, .object(["action": .string("list")])).status == 401)
        #expect(try call(Tokens.serviceRole, .object(["action": .string("list")])).status == 400)
        let asService = try call(Tokens.serviceRole, .object(["action": .string("list"), "userId": .string(owner)]))
        #expect(asService.json?["data"]?.arrayValue?.count == 1)
        // Still there for its owner.
        #expect(try call(ownerToken, .object(["action": .string("content"), "fileId": .string(id)])).status == 200)
        #expect(try call(ownerToken, .object(["action": .string("delete"), "fileName": .string("secret.txt")])).status == 200)
    }

    @Test func uploadsAreCheckedForSizeEncodingAndType() throws {
        let (_, token) = try newUser()
        #expect(try upload(token, name: "empty.txt", bytes: []).status == 400)
        let badBase64 = try call(
            token,
            .object(["action": .string("upload"), "file": .object(["name": .string("a.txt"), "content": .string("not*base64!")])]))
        #expect(badBase64.status == 400)
        #expect(badBase64.json?["error"] == .string("Failed to decode base64"))
        let elf: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 64)
        #expect(try upload(token, name: "report.pdf", bytes: elf).status == 415)
        #expect(try upload(token, name: "tool.exe", bytes: Array("MZ......".utf8)).status == 415)
        #expect(try upload(token, name: "fake.pdf", bytes: Array("hello".utf8)).status == 415)
        #expect(try upload(token, name: "doc.pdf", bytes: Array("%PDF-1.7\n%âãÏÓ\n".utf8)).status == 200)
        #expect(try call(token, .object(["action": .string("upload")])).status == 400)
        #expect(try upload(token, name: "bad\nname.txt", bytes: Array("x".utf8)).status == 400)
        let traversal = try upload(token, name: "../../etc/passwd.txt", bytes: Array("root".utf8))
        #expect(traversal.status == 200)
        #expect(traversal.json?["data"]?["name"] == .string("../../etc/passwd.txt"))  // kept in the row, not in the path
        // Stored only under knowledge-base/<date>/, with the separators flattened.
        let stored = try storedObjects().filter { $0.hasSuffix("passwd.txt") }
        #expect(!stored.isEmpty)
        #expect(stored.allSatisfy { $0.split(separator: "/").count == 4 && $0.hasSuffix("_.._etc_passwd.txt") }, "\(stored)")
    }

    static func multipart(_ parts: [(name: String, fileName: String?, bytes: [UInt8])], boundary: String = "ub-test-boundary") -> [UInt8] {
        var body: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let fileName = part.fileName { head += "; filename=\"\(fileName)\"\r\nContent-Type: application/octet-stream" }
            body += Array((head + "\r\n\r\n").utf8) + part.bytes + Array("\r\n".utf8)
        }
        return body + Array("--\(boundary)--\r\n".utf8)
    }

    func postMultipart(_ token: String, _ body: [UInt8]) throws -> HTTPTestClient.Result {
        try client.send(
            "POST", "/functions/v1/\(function)",
            headers: ["Authorization": "Bearer \(token)", "Content-Type": "multipart/form-data; boundary=ub-test-boundary"], body: body)
    }

    @Test func multipartUploadsAreParsedStrictly() throws {
        let (user, token) = try newUser()
        let good = try postMultipart(
            token,
            Self.multipart([
                ("action", nil, Array("upload".utf8)), ("file", "form.csv", Array("a,b\n1,2\n".utf8)),
                ("metadata", nil, Array(#"{"source":"web"}"#.utf8)),
            ]))
        #expect(good.status == 200, "\(good.text)")
        #expect(good.json?["data"]?["name"] == .string("form.csv"))
        let rows = try fixtures.rows("SELECT metadata->>'source' FROM knowledge_files WHERE user_id = $1::uuid", [user])
        #expect(rows.first?[0] == "web")
        #expect(try postMultipart(token, Self.multipart([("action", nil, Array("upload".utf8))])).status == 400)  // no file
        #expect(try postMultipart(token, Self.multipart([("file", "x.txt", Array("1".utf8)), ("extra", nil, Array("2".utf8))])).status == 400)
        #expect(try postMultipart(token, Self.multipart([("file", "x.txt", Array("1".utf8)), ("file", "y.txt", Array("2".utf8))])).status == 400)
        let unterminated = Array(Self.multipart([("file", "x.txt", Array("1".utf8))]).dropLast(24))
        #expect(try postMultipart(token, unterminated).status == 400)
    }

    @Test func theCapIsExactAndA25MiBUploadStaysUnder96MB() throws {
        let (_, token) = try newUser()
        let cap = 25 << 20
        var big = [UInt8](repeating: 0x61, count: cap)
        big[0] = 0x62
        // Base64 in JSON, as the original: exactly the cap passes, one byte more is 413.
        let exact = try upload(token, name: "big.txt", bytes: big)
        #expect(exact.status == 200, "\(exact.text.prefix(200))")
        big.append(0x61)
        let over = try upload(token, name: "bigger.txt", bytes: big)
        #expect(over.status == 413)
        #expect(over.json != nil)
        // Multipart: the file is stored straight from the request; each worker's peak is reset
        // first (clear_refs 5) and read after.
        _ = try Stack.shared.shell(
            #"pool=$(cat "$UB_STATE/run/knowledge-base-storage.pid"); for c in $(cat /proc/$pool/task/$pool/children); do echo 5 > /proc/$c/clear_refs; done"#
        )
        big.removeLast()
        big[1] = 0x63
        let streamed = try postMultipart(token, Self.multipart([("file", "big2.txt", big)]))
        #expect(streamed.status == 200, "\(streamed.text.prefix(200))")
        let peaks = try Stack.shared.shell(
            #"""
            pool=$(cat "$UB_STATE/run/knowledge-base-storage.pid")
            for child in $(cat /proc/$pool/task/$pool/children); do awk '/^VmHWM/ {print $2}' /proc/$child/status; done
            """#
        ).output.split(separator: "\n").compactMap { Int($0) }
        #expect(!peaks.isEmpty)
        #expect(peaks.allSatisfy { $0 < 96 * 1024 }, "peak RSS kB: \(peaks)")
        // And back: streamed from storage, never whole in the worker.
        let id = try #require(streamed.json?["data"]?["id"]?.stringValue)
        _ = try Stack.shared.shell(
            #"pool=$(cat "$UB_STATE/run/knowledge-base-storage.pid"); for c in $(cat /proc/$pool/task/$pool/children); do echo 5 > /proc/$c/clear_refs; done"#
        )
        let download = try call(token, .object(["action": .string("stream"), "fileId": .string(id)]))
        #expect(download.status == 200)
        #expect(download.body.count == big.count)
        #expect(Digest.sha256(download.body) == Digest.sha256(big))
        let afterDownload = try Stack.shared.shell(
            #"""
            pool=$(cat "$UB_STATE/run/knowledge-base-storage.pid")
            for child in $(cat /proc/$pool/task/$pool/children); do awk '/^VmHWM/ {print $2}' /proc/$child/status; done
            """#
        ).output.split(separator: "\n").compactMap { Int($0) }
        #expect(afterDownload.allSatisfy { $0 < 64 * 1024 }, "peak RSS kB while streaming: \(afterDownload)")
    }
}
