import Foundation
import Shared
import Synchronization
import TestSupport
import Testing

/// Text extraction through nginx and the job worker, on both backends: real PDF and Office
/// documents give their text (cleaned as the original did) to `content`; hostile ones (a zip
/// bomb, a PDF that never ends, a PDF that is not one, 25 MiB of text) end within their budget
/// with the reason recorded, and the files queued after them are still extracted.
extension KnowledgeBaseTests {
    /// Runs the job worker until nothing is runnable; returns its output and how long it took.
    @discardableResult
    func drainJobs(_ extra: String = "") throws -> (output: String, ms: Int) {
        let started = MonotonicClock.milliseconds()
        let output = try Stack.shared.shell(
            #"""
            UB_JOB_LEASE_SECONDS=60 KB_PROCESSING_RETRY_BASE_SECONDS=3600 \#(extra) \
                "$UB_BIN/job-worker" --drain 2>>"$UB_STATE/log/job-worker.log"; echo "exit=$?"
            """#
        ).output
        return (output, MonotonicClock.milliseconds() - started)
    }

    func extraction(_ fileID: String) throws -> (extracted: Bool, text: String?, metadata: JSON?) {
        let row = try #require(
            try fixtures.rows(
                "SELECT content_extracted, extracted_content, extraction_metadata::text FROM knowledge_files WHERE id = $1::uuid", [fileID]
            ).first)
        return (row[0] == "t", row[1], try row[2].map { try JSONParser.parse($0) })
    }

    func extractJob(_ fileID: String) throws -> (status: String, error: String?)? {
        try fixtures.rows("SELECT status, last_error FROM userbuckets_jobs WHERE dedupe_key = $1", ["extract:\(fileID)"]).first.map {
            ($0[0] ?? "", $0[1])
        }
    }

    func uploadedID(_ token: String, _ name: String, _ bytes: [UInt8]) throws -> String {
        let result = try upload(token, name: name, bytes: bytes)
        #expect(result.status == 200, "\(name): \(result.text)")
        return try #require(result.json?["data"]?["id"]?.stringValue)
    }

    @Test func documentsAreExtractedByTheWorkerAndServedByContent() throws {
        let (_, token) = try newUser()
        let cases: [(name: String, bytes: [UInt8], text: String, method: String, type: String)] = [
            (
                "plan.pdf", try Documents.bytes("plan.pdf"), "Quarterly plan: launch in March. Second page: budget approved.", "pdf_parser",
                "application/pdf"
            ),
            (
                "minutes.docx", try Documents.bytes("minutes.docx"), "Meeting minutes Decisão: lançar em março.", "docx_parser",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
            (
                "budget.xlsx", try Documents.bytes("budget.xlsx"), "Item Marketing budget Inline note", "xlsx_parser",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ),
            (
                "deck.pptx", try Documents.bytes("deck.pptx"), "First slide Second slide Tenth slide", "pptx_parser",
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            ),
            ("notes.md", Array("# Notas\n\n* lançamento\u{7} em   março\n".utf8), "# Notas * lançamento em março", "text_direct", "text/markdown"),
            // buffer-processor's extensionless documents are typed by their bytes.
            (
                "file_4411_1", try Documents.bytes("minutes.docx") + [], "Meeting minutes Decisão: lançar em março.", "docx_parser",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
            ("tiny.txt", Array("  ok \n".utf8), "[Unable to extract meaningful content from tiny.txt]", "failed_extraction", "text/plain"),
        ]
        var ids: [String] = []
        for item in cases {
            let id = try uploadedID(token, item.name, item.bytes)
            // The upload answered before any extraction: the row says so.
            #expect(try extraction(id).extracted == false)
            ids.append(id)
        }
        #expect(try drainJobs().output.contains("exit=0"))
        for (item, id) in zip(cases, ids) {
            let row = try extraction(id)
            #expect(row.extracted, "\(item.name)")
            #expect(row.text == item.text, "\(item.name)")
            #expect(row.metadata?["method"] == .string(item.method), "\(item.name)")
            #expect(row.metadata?["original_file_size"]?.intValue == item.bytes.count, "\(item.name)")
            #expect(row.metadata?["content_length"]?.intValue == item.text.count, "\(item.name)")
            #expect(row.metadata?["extracted_at"]?.stringValue?.hasSuffix("Z") == true, "\(item.name)")
            let content = try call(token, .object(["action": .string("content"), "fileId": .string(id)]))
            #expect(content.json?["content"] == .string(item.text), "\(item.name)")
            #expect(content.json?["contentType"] == .string(item.type), "\(item.name)")
            #expect(try extractJob(id)?.status == "done", "\(item.name)")
        }
    }

    @Test func hostileDocumentsEndWithinTheirBudgetAndBlockNothing() throws {
        let (_, token) = try newUser()
        let bomb = try uploadedID(token, "bomb.docx", try Documents.bytes("bomb.docx"))
        let endless = try uploadedID(token, "endless.pdf", try Documents.bytes("endless.pdf"))
        let fake = try uploadedID(token, "fake.pdf", try Documents.bytes("fake.pdf"))
        // 25 MiB of text (the upload limit): its text is cut at the extraction budget.
        let line = Array("Linha de texto com acentuação: ação, coração, informação.\n".utf8)
        var big = [UInt8]()
        big.reserveCapacity(25 << 20)
        while big.count + line.count <= (25 << 20) - 64 { big += line }
        let huge = try uploadedID(token, "huge.txt", big)
        let after = try uploadedID(token, "after.pdf", try Documents.bytes("plan.pdf") + Array("\n%after".utf8))

        let drained = try drainJobs("KB_EXTRACT_TIMEOUT_MS=3000 KB_EXTRACT_MEMORY_MIB=512 KB_EXTRACT_MAX_PART_BYTES=16777216")
        #expect(drained.output.contains("exit=0"))
        // Four hostile files and one good one: well under the budgets' sum plus slack.
        #expect(drained.ms < 30_000, "\(drained.ms) ms")

        let bombJob = try #require(try extractJob(bomb))
        #expect(bombJob.status == "failed")
        #expect(bombJob.error?.contains("unpacks to more than its budget") == true, "\(bombJob)")
        #expect(try extraction(bomb).metadata?["error"]?.stringValue?.contains("budget") == true)
        #expect(try extraction(bomb).extracted == false)

        let endlessJob = try #require(try extractJob(endless))
        #expect(endlessJob.status == "failed")
        #expect(
            endlessJob.error?.contains("longer than 3000 ms") == true || endlessJob.error?.contains("CPU time or memory") == true,
            "\(endlessJob)")
        #expect(try extraction(endless).extracted == false)

        let fakeJob = try #require(try extractJob(fake))
        #expect(fakeJob.status == "failed")
        #expect(fakeJob.error?.contains("could not be read as pdf") == true, "\(fakeJob)")

        let hugeRow = try extraction(huge)
        #expect(hugeRow.extracted)
        #expect(hugeRow.metadata?["truncated"] == .bool(true))
        #expect((hugeRow.text?.utf8.count ?? 0) <= 2 << 20)
        #expect(hugeRow.text?.hasPrefix("Linha de texto com acentuação") == true)

        #expect(try extraction(after).text == "Quarterly plan: launch in March. Second page: budget approved.")
    }

    @Test func extractIsOwnerCheckedAndRunsAgain() throws {
        let (_, token) = try newUser()
        let (_, stranger) = try newUser()
        let id = try uploadedID(token, "again.txt", Array("Primeira versão do texto.".utf8))
        try drainJobs()
        #expect(try extraction(id).text == "Primeira versão do texto.")
        // Someone else's file is not found; nothing is queued for it.
        let foreign = try call(stranger, .object(["action": .string("extract"), "fileId": .string(id)]))
        #expect(foreign.status == 404)
        #expect(try extractJob(id)?.status == "done")
        // The owner's call runs the extraction again.
        let again = try call(token, .object(["action": .string("extract"), "fileId": .string(id)]))
        #expect(again.status == 200, "\(again.text)")
        #expect(again.json?["success"] == .bool(true))
        #expect(try extractJob(id)?.status == "queued")
        try drainJobs()
        #expect(try extractJob(id)?.status == "done")
        // A type without text is refused with the reason.
        let image = try uploadedID(token, "pixel.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0])
        let refused = try call(token, .object(["action": .string("extract"), "fileId": .string(image)]))
        #expect(refused.status == 415)
        #expect(refused.json?["success"] == .bool(false))
        #expect(try extractJob(image) == nil)
    }
}
