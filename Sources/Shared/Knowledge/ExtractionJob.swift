/// An `extract` job: one knowledge file's text, made by the job worker after an upload or an
/// `extract` call. Its payload names the file; the row says the rest.
package enum ExtractionJob {
    package static let kind = "extract"

    package static func dedupeKey(fileID: String) -> String { "\(kind):\(fileID)" }

    /// The extractor's format for a file type, nil when its text is not extracted (images,
    /// audio, video, legacy Office, RTF, SVG).
    package static func format(ofExtension ext: String) -> String? {
        switch ext {
        case "txt", "md", "csv", "json": "text"
        case "pdf", "docx", "xlsx", "pptx": ext
        default: nil
        }
    }

    /// The original's `extraction_metadata.method` for a format.
    package static func method(ofFormat format: String) -> String {
        format == "text" ? "text_direct" : "\(format)_parser"
    }

    /// Queues the file's extraction; `again` runs it anew when it ran before.
    package static func enqueue(fileID: String, on queue: any JobQueue, again: Bool = false) throws {
        let key = dedupeKey(fileID: fileID)
        try queue.enqueue(kind: kind, payload: .object(["file_id": .string(fileID)]), dedupeKey: key)
        if again { _ = try queue.requeue(dedupeKeys: [key]) }
    }
}
