import Foundation
import Shared
import Synchronization
import TestSupport
import Testing

/// Today's server callers (`whatsapp_content`, the processing trigger) and the upload types
/// the web app allows (SVG served inert, AVI), through nginx on both backends.
extension KnowledgeBaseTests {
    func whatsApp(_ token: String?, _ fields: KeyValuePairs<String, JSON>) throws -> HTTPTestClient.Result {
        var body = JSONObject()
        body["action"] = .string("whatsapp_content")
        for (key, value) in fields { body[key] = value }
        return try call(token, .object(body))
    }

    /// The user's own bucket (made now if they have none).
    func bucket(of user: String) throws -> String {
        let made = try client.post("create-user-bucket", json: JSON.object(["userId": .string(user)]).serialized(), token: Tokens.user(user))
        #expect(made.status == 200, "\(made.text)")
        let rows = try fixtures.rows("SELECT bucket_name FROM user_bucket_mapping WHERE user_id = $1::uuid", [user])
        return try #require(rows.first?[0] ?? nil)
    }

    func processingJobs(_ bucket: String) throws -> [JSON] {
        try fixtures.rows(
            "SELECT payload::text FROM userbuckets_jobs WHERE kind = 'kb_processing' AND payload ->> 'bucketName' = $1 ORDER BY id", [bucket]
        )
        .compactMap { try $0[0].map { try JSONParser.parse($0) } }
    }

    @Test func whatsAppContentStoresANoteOnceInTheUsersOwnBucket() throws {
        let (user, token) = try newUser()
        let note = "Lembrete: reunião com o fornecedor na quinta às 10h."
        let fields: KeyValuePairs<String, JSON> = [
            "userId": .string(user), "file_name": .string("WhatsApp Note - 01/12/2026"), "file_type": .string("file"),
            "content": .string(note), "gcs_path": .null, "metadata": .object(["contact_id": .string("contact_1_account_2")]),
        ]
        let stored = try whatsApp(Tokens.serviceRole, fields)
        #expect(stored.status == 200, "\(stored.text)")
        #expect(stored.json?["success"] == .bool(true))
        #expect(stored.json?["file_name"] == .string("WhatsApp Note - 01/12/2026"))
        let id = try #require(stored.json?["file_id"]?.stringValue)
        // The same call again (buffer-processor retries) is the same row.
        let again = try whatsApp(Tokens.serviceRole, fields)
        #expect(again.json?["file_id"] == .string(id))
        #expect(try fixtures.rows("SELECT count(*) FROM knowledge_files WHERE user_id = $1::uuid", [user]).first?[0] == "1")

        let row = try #require(
            try fixtures.rows(
                "SELECT type, content_extracted, extracted_content, extraction_metadata ->> 'source', gcs_bucket, storage_path FROM knowledge_files WHERE id = $1::uuid",
                [id]
            ).first)
        #expect(row[0] == "file")
        #expect(row[1] == "t")
        #expect(row[2] == note)
        #expect(row[3] == "whatsapp")
        let own = try bucket(of: user)
        #expect(row[4] == own)
        #expect(row[5]?.hasPrefix("whatsapp-notes/") == true)
        // The note object is in the user's bucket, with the note's bytes.
        #expect(try objectBytes(id) == Array(note.utf8))
        // `content` answers with the note; the user sees it in `list`.
        let content = try call(token, .object(["action": .string("content"), "fileId": .string(id)]))
        #expect(content.json?["content"] == .string(note))
        #expect(content.json?["contentType"] == .string("text/plain"))  // the note is text, whatever its name
        // One processing call for it (the stack's processor URL is set).
        let jobs = try processingJobs(own)
        #expect(jobs.count == 1)
        #expect(jobs.first?["userId"] == .string(user))
        #expect(jobs.first?["filePath"] == .string(row[5] ?? ""))
        #expect(jobs.first?["fileType"] == .string("text/plain"))
    }

    @Test func whatsAppContentRefusesOtherBucketsUsersAndBadBodies() throws {
        let (user, token) = try newUser()
        let (victim, _) = try newUser()
        let theirs = try bucket(of: victim)
        let before = try storedObjects()
        for path in ["gs://\(theirs)/whatsapp-audio/x.ogg", "gs://\(theirs)x/a.txt", "gs://../\(theirs)/a", "gs://\(try bucket(of: user))"] {
            let refused = try whatsApp(
                Tokens.serviceRole,
                [
                    "userId": .string(user), "file_name": .string("n.md"), "file_type": .string("text"), "content": .string("texto"),
                    "gcs_path": .string(path),
                ])
            #expect(refused.status == 403, "\(path): \(refused.text)")
            #expect(refused.json?["success"] == .bool(false))
        }
        let notURI = try whatsApp(
            Tokens.serviceRole,
            ["userId": .string(user), "file_name": .string("n"), "content": .string("texto"), "gcs_path": .string("/etc/passwd")])
        #expect(notURI.status == 400)
        // The user themself, anonymous callers, missing fields.
        #expect(try whatsApp(token, ["userId": .string(user), "file_name": .string("n"), "content": .string("texto")]).status == 403)
        #expect(try whatsApp(Tokens.anon, ["userId": .string(user), "file_name": .string("n"), "content": .string("texto")]).status == 401)
        let missing = try whatsApp(Tokens.serviceRole, ["userId": .string(user), "file_name": .string("n")])
        #expect(missing.status == 400)
        #expect(missing.json?["success"] == .bool(false))
        #expect(
            try whatsApp(Tokens.serviceRole, ["userId": .string(UUID().uuidString), "file_name": .string("n"), "content": .string("x")]).status == 404
        )
        // Over a megabyte of content is too large; 200 kB (a long transcript) is fine.
        let huge = String(repeating: "a", count: (1 << 20) + 1)
        #expect(try whatsApp(Tokens.serviceRole, ["userId": .string(user), "file_name": .string("n"), "content": .string(huge)]).status == 413)
        let long = String(repeating: "transcrição \"longa\"\n", count: 10_000)
        let stored = try whatsApp(
            Tokens.serviceRole, ["userId": .string(user), "file_name": .string("t.md"), "file_type": .string("text"), "content": .string(long)])
        #expect(stored.status == 200, "\(stored.text)")
        let id = try #require(stored.json?["file_id"]?.stringValue)
        #expect(try fixtures.rows("SELECT extracted_content FROM knowledge_files WHERE id = $1::uuid", [id]).first?[0] == long)
        // Nothing was written for the refused calls: the victim's bucket is empty, the user's
        // holds the one note stored.
        #expect(try storedObjects().count == before.count)
        #expect(try storage().listObjects(in: BucketName(theirs)!, prefix: "", pageToken: nil, maxResults: 10).objects.isEmpty)
        let mine = try storage().listObjects(in: BucketName(try bucket(of: user))!, prefix: "", pageToken: nil, maxResults: 10).objects
        #expect(mine.map(\.name).filter { $0.hasPrefix("whatsapp-notes/") }.count == 1)
        #expect(try fixtures.rows("SELECT count(*) FROM knowledge_files WHERE user_id = $1::uuid", [victim]).first?[0] == "0")
    }

    @Test func whatsAppAudioGetsNoRowButItsProcessingCall() throws {
        let (user, _) = try newUser()
        let own = try bucket(of: user)
        let path = "whatsapp-audio/2026-12-01/238/99_33012.ogg"
        let result = try whatsApp(
            Tokens.serviceRole,
            [
                "userId": .string(user), "file_name": .string("WhatsApp Audio - 2026-12-01 - contact_1_account_2.ogg"),
                "file_type": .string("audio"), "content": .string("Áudio: lembrar de pagar a conta."), "gcs_path": .string("gs://\(own)/\(path)"),
            ])
        #expect(result.status == 200, "\(result.text)")
        #expect(result.json?["message"] == .string("WhatsApp audio processed and RAG processing triggered"))
        #expect(try fixtures.rows("SELECT count(*) FROM knowledge_files WHERE user_id = $1::uuid", [user]).first?[0] == "0")
        let job = try #require(try processingJobs(own).first)
        #expect(job["filePath"] == .string(path))
        #expect(job["fileName"] == .string("99_33012.ogg"))
        #expect(job["fileType"] == .string("audio/ogg"))
    }

    /// The worker calls the processor with the original's body, tries again after a 503, and
    /// never lets a failing processor touch the upload.
    @Test func theProcessingTriggerIsCalledWithRetries() throws {
        let (user, token) = try newUser()
        let own = try bucket(of: user)
        // This user's call fails twice; other jobs in the queue are answered at once.
        let answers = Mutex<[Int]>([503, 503])
        let processor = LoopbackHTTPServer { request in
            let mine = (try? JSONParser.parse(request.body))?["bucketName"] == .string(own)
            return .json(mine ? answers.withLock { $0.isEmpty ? 200 : $0.removeFirst() } : 200, Array(#"{"success":true}"#.utf8))
        }
        let id = try uploadedID(token, "pixel.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 1])
        try drainJobs(
            "KB_PROCESSING_URL='\(processor.url())/functions/v1/vertex-ai-rag-processor' KB_PROCESSING_TOKEN=processor-secret KB_PROCESSING_RETRY_BASE_SECONDS=0"
        )
        let calls = processor.requests.filter { (try? JSONParser.parse($0.body))?["bucketName"] == .string(own) }
        #expect(calls.count == 3)
        let body = try JSONParser.parse(try #require(calls.last).body)
        let (_, path) = try objectLocation(id)
        #expect(body["userId"] == .string(user))
        #expect(body["filePath"] == .string(path))
        #expect(body["fileName"] == .string(String(path.split(separator: "/").last!)))
        #expect(body["fileType"] == .string("image/png"))
        #expect(body["fileSize"]?.intValue == 12)
        #expect(body["metadata"]?["file_id"] == .string(id))
        #expect(calls.last?.headers["authorization"] == "Bearer processor-secret")
        #expect(calls.last?.path == "/functions/v1/vertex-ai-rag-processor")
        let state = try fixtures.rows(
            "SELECT status, attempts FROM userbuckets_jobs WHERE kind = 'kb_processing' AND payload ->> 'bucketName' = $1", [own])
        #expect(state.first?[0] == "done")
        #expect(state.first?[1] == "3")
    }

    @Test func svgIsServedOnlyAsASandboxedAttachmentAndAviIsAccepted() throws {
        let (_, token) = try newUser()
        let svg = Array(#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>"#.utf8)
        let id = try uploadedID(token, "logo.svg", svg)
        let stream = try call(token, .object(["action": .string("stream"), "fileId": .string(id)]))
        #expect(stream.status == 200)
        #expect(stream.body == svg)
        #expect(stream.header("content-type") == "image/svg+xml")
        #expect(stream.header("content-disposition")?.hasPrefix("attachment;") == true)
        #expect(stream.header("content-security-policy") == "sandbox")
        #expect(stream.header("x-content-type-options") == "nosniff")
        // A preview is a link to this function (never the storage URL, which would show it inline).
        let preview = try call(token, .object(["action": .string("preview"), "fileId": .string(id)]))
        let url = try #require(preview.json?["url"]?.stringValue)
        #expect(url.contains("/functions/v1/knowledge-base-storage?link="), "\(url)")
        let opened = try client.send("GET", String(url.drop { $0 != "/" }.dropFirst(2).drop { $0 != "/" }))
        #expect(opened.status == 200)
        #expect(opened.header("content-security-policy") == "sandbox")
        #expect(opened.header("content-disposition")?.hasPrefix("attachment;") == true)
        // HTML pretending to be an SVG is not one.
        #expect(try upload(token, name: "fake.svg", bytes: Array("<html><body>hi</body></html>".utf8)).status == 415)

        let avi = Array("RIFF".utf8) + [0x10, 0, 0, 0] + Array("AVI LIST".utf8) + [UInt8](repeating: 0, count: 64)
        let video = try upload(token, name: "clip.avi", bytes: avi)
        #expect(video.status == 200, "\(video.text)")
        #expect(video.json?["data"]?["type"] == .string("video"))
        // An extensionless PDF (buffer-processor's naming) is typed by its bytes.
        let named = try upload(token, name: "file_77_2", bytes: try Documents.bytes("plan.pdf"))
        #expect(named.status == 200, "\(named.text)")
        let pdfID = try #require(named.json?["data"]?["id"]?.stringValue)
        let served = try call(token, .object(["action": .string("stream"), "fileId": .string(pdfID)]))
        #expect(served.header("content-type") == "application/pdf")
        // Bytes that are no accepted type still are refused without an extension.
        #expect(try upload(token, name: "file_77_3", bytes: [0, 1, 2, 3, 4, 5]).status == 415)
    }

    /// `content` answers with the original's map value: `text/plain`, never with a charset.
    @Test func contentAnswersWithTheOriginalContentTypes() throws {
        let (_, token) = try newUser()
        for (name, type) in [("a.txt", "text/plain"), ("a.md", "text/markdown"), ("a.csv", "text/csv"), ("a.json", "application/json")] {
            let id = try uploadedID(token, name, Array(#"{"texto": "conteúdo de \#(name)"}"#.utf8))
            let content = try call(token, .object(["action": .string("content"), "fileId": .string(id)]))
            #expect(content.json?["contentType"] == .string(type), "\(name): \(content.text)")
        }
    }
}
