#if canImport(Glibc)
    import Glibc
#endif

/// Runs `extract` jobs: copies the file from storage to a private temporary file, runs
/// `text-extractor` on it within the budget (wall clock, CPU, memory, unpacked and extracted
/// bytes), cleans the text as the original did and records it on the row
/// (`content_extracted`, `extracted_content`, `extraction_metadata`), then queues the
/// processing trigger. A file that cannot be extracted (damaged, over budget, too slow) gets
/// its reason in `extraction_metadata` and the job fails for good: running it again would
/// end the same way.
package final class ExtractionJobRunner: JobRunner {
    package struct Budget: Sendable {
        package var timeoutMs = 30_000
        package var cpuSeconds = 30
        package var memoryMiB = 1024
        package var maxInputBytes = 32 << 20
        package var maxTextBytes = 2 << 20
        package var maxPartBytes = 64 << 20
        package var maxTotalBytes = 256 << 20

        package init() {}

        /// `KB_EXTRACT_TIMEOUT_MS` (30000), `KB_EXTRACT_MEMORY_MIB` (1024),
        /// `KB_EXTRACT_MAX_TEXT_BYTES` (2 MiB), `KB_EXTRACT_MAX_PART_BYTES` (64 MiB; what one
        /// XML part of an Office file may unpack to), `KB_EXTRACT_MAX_TOTAL_BYTES` (256 MiB) and
        /// `KB_EXTRACT_MAX_INPUT_BYTES` (32 MiB). The CPU limit is the timeout's.
        package init(environment: Environment) throws(Environment.Error) {
            timeoutMs = try environment.integer("KB_EXTRACT_TIMEOUT_MS", default: timeoutMs)
            cpuSeconds = max(1, (timeoutMs + 999) / 1000)
            memoryMiB = try environment.integer("KB_EXTRACT_MEMORY_MIB", default: memoryMiB)
            maxTextBytes = try environment.integer("KB_EXTRACT_MAX_TEXT_BYTES", default: maxTextBytes)
            maxPartBytes = try environment.integer("KB_EXTRACT_MAX_PART_BYTES", default: maxPartBytes)
            maxTotalBytes = try environment.integer("KB_EXTRACT_MAX_TOTAL_BYTES", default: maxTotalBytes)
            maxInputBytes = try environment.integer("KB_EXTRACT_MAX_INPUT_BYTES", default: maxInputBytes)
        }
    }

    private let files: any KnowledgeFileStore
    private let storage: any ObjectStorage
    private let jobs: any JobQueue
    private let extractor: String
    private let budget: Budget
    private let processingEnabled: Bool
    private let clock: @Sendable () -> Int
    /// Where the temporary copies go (`TMPDIR`, else `/tmp`), read once.
    private let temporaryDirectory = Environment.process().get("TMPDIR") ?? "/tmp"

    package init(
        files: any KnowledgeFileStore, storage: any ObjectStorage, jobs: any JobQueue, extractor: String, budget: Budget,
        processingEnabled: Bool, clock: @escaping @Sendable () -> Int = { UnixTime.now() }
    ) {
        self.files = files
        self.storage = storage
        self.jobs = jobs
        self.extractor = extractor
        self.budget = budget
        self.processingEnabled = processingEnabled
        self.clock = clock
    }

    /// `text-extractor` beside the running executable (`UB_TEXT_EXTRACTOR` overrides).
    package static func extractorPath(environment: Environment) -> String {
        if let path = environment.get("UB_TEXT_EXTRACTOR") { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let own = length > 0 ? String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return String(own[..<(own.lastIndex(of: "/") ?? own.startIndex)]) + "/text-extractor"
    }

    package func run(_ job: Job) -> JobOutcome {
        guard let id = job.payload["file_id"]?.stringValue else { return .fail(reason: "the job names no file") }
        let file: KnowledgeFile
        do {
            guard let found = try files.file(id: id) else { return .skipped(.object(["reason": .string("the file was deleted")])) }
            file = found
        } catch {
            return .retry(reason: "reading the file's row: \(error)", delaySeconds: 5)
        }
        guard let format = ExtractionJob.format(ofExtension: file.fileExtension) else {
            return .skipped(.object(["reason": .string("no text is extracted from .\(file.fileExtension) files")]))
        }
        guard let (bucket, object) = file.storageLocation else { return .fail(reason: "the row names no stored object") }
        let method = ExtractionJob.method(ofFormat: format)
        let outcome: JobOutcome
        switch copy(object, in: bucket) {
        case .failure(let problem):
            return problem
        case .success(let path):
            defer { unlink(path) }
            outcome = extract(file, format: format, method: method, path: path)
        }
        if processingEnabled, let request = ProcessingRequest(file: file) {
            do {
                try request.enqueue(on: jobs, enabled: true)
            } catch {
                return .retry(reason: "queueing the processing trigger: \(error)", delaySeconds: 5)
            }
        }
        return outcome
    }

    private enum Copy {
        case success(String)
        case failure(JobOutcome)
    }

    /// The object in a new private temporary file (mode 0600), at most `maxInputBytes`.
    private func copy(_ object: ObjectName, in bucket: BucketName) -> Copy {
        var template = Array((temporaryDirectory + "/ub-extract-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { return .failure(.retry(reason: "no temporary file: errno \(errno)", delaySeconds: 30)) }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { close(fd) }
        var size = 0
        let limit = budget.maxInputBytes
        do {
            let found = try storage.readObject(object, in: bucket) { piece in
                size += piece.count
                guard size <= limit else { throw StorageError(.rejected, "the file is larger than \(limit) bytes") }
                guard POSIX.writeAll(fd, UnsafeRawBufferPointer(piece)) else {
                    throw StorageError(.unavailable, "writing the temporary file: errno \(errno)")
                }
            }
            if found == nil {
                unlink(path)
                return .failure(.skipped(.object(["reason": .string("the file's object is gone")])))
            }
            return .success(path)
        } catch {
            unlink(path)
            if error.code == .rejected { return .failure(.fail(reason: error.description)) }
            return .failure(.retry(reason: "reading the file from storage: \(error)", delaySeconds: 30))
        }
    }

    private func extract(_ file: KnowledgeFile, format: String, method: String, path: String) -> JobOutcome {
        let arguments = [
            format, path, "--max-text-bytes", "\(budget.maxTextBytes)", "--max-part-bytes", "\(budget.maxPartBytes)",
            "--max-total-bytes", "\(budget.maxTotalBytes)", "--cpu-seconds", "\(budget.cpuSeconds)", "--memory-mib", "\(budget.memoryMiB)",
        ]
        let started = MonotonicClock.milliseconds()
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.run(
                extractor, arguments: arguments, timeoutMs: budget.timeoutMs, maxOutputBytes: budget.maxTextBytes + 16)
        } catch {
            return .retry(reason: error.description, delaySeconds: 60)
        }
        let elapsed = MonotonicClock.milliseconds() - started
        let errors = String(decoding: result.errors, as: UTF8.self).split(separator: "\n")
        var metadata = JSONObject()
        metadata["extracted_at"] = .string(UnixTime.iso8601(clock()))
        metadata["method"] = .string(method)
        metadata["original_file_size"] = .integer(file.size)
        metadata["duration_ms"] = .integer(elapsed)
        let failure: String
        switch result.ending {
        case .exited(0), .exited(3):
            var text = ExtractedText.clean(String(decoding: result.output, as: UTF8.self))
            if text.count < ExtractedText.minimumCharacters {
                text = ExtractedText.placeholder(fileName: file.name)
                metadata["method"] = .string("failed_extraction")
            }
            metadata["content_length"] = .integer(text.count)
            metadata["truncated"] = .bool(result.ending == .exited(3))
            if let parts = errors.last.flatMap({ $0.hasPrefix("parts=") ? Int($0.dropFirst(6)) : nil }) { metadata["parts"] = .integer(parts) }
            do {
                try files.setExtraction(id: file.id, text: text, metadata: .object(metadata))
            } catch {
                return .retry(reason: "recording the extraction: \(error)", delaySeconds: 5)
            }
            return .done(.object(["method": metadata["method"]!, "content_length": .integer(text.count), "truncated": metadata["truncated"]!]))
        case .exited(4): failure = "the document unpacks to more than its budget (\(errors.first.map(String.init) ?? ""))"
        case .exited(2): failure = "the file could not be read as \(format): \(errors.first.map(String.init) ?? "unknown reason")"
        case .timedOut: failure = "extraction took longer than \(budget.timeoutMs) ms"
        case .signaled(let signal): failure = "the extractor ran out of CPU time or memory (signal \(signal))"
        case .tooMuchOutput: failure = "the extractor wrote more than its budget"
        case .exited(let code): failure = "the extractor failed (exit \(code))"
        }
        metadata["error"] = .string(failure)
        do {
            try files.setExtraction(id: file.id, text: nil, metadata: .object(metadata))
        } catch {
            return .retry(reason: "recording the extraction: \(error)", delaySeconds: 5)
        }
        return .fail(reason: failure)
    }
}
