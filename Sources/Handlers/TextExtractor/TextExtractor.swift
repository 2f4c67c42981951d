import CTextExtraction
import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// `text-extractor FORMAT FILE`: one file's text on standard output, in a process of its own
/// so that a document that never ends or unpacks without end costs a bounded time and memory.
/// The job worker starts it per file and kills it at its wall-clock budget; it caps its own CPU
/// time and address space before it reads anything.
///
/// FORMAT: `text` (UTF-8, invalid sequences replaced), `pdf` (poppler), `docx`, `xlsx`, `pptx`
/// (libzip and libxml2). Options: `--max-text-bytes N` (the text is cut there),
/// `--max-part-bytes N` and `--max-total-bytes N` (what an Office document's XML may unpack to),
/// `--cpu-seconds N`, `--memory-mib N`.
///
/// Exit status: 0 the whole text, 3 the text cut at its budget, 4 over the unpacking budget,
/// 2 not readable as FORMAT (the reason on standard error), 64 bad arguments. On success
/// standard error ends with `parts=N` (pages, slides or sheets read).
enum TextExtractor {
    struct Options {
        var format = ""
        var path = ""
        var maxTextBytes = 2 << 20
        var maxPartBytes = 64 << 20
        var maxTotalBytes = 256 << 20
        var cpuSeconds = 30
        var memoryMiB = 1024
    }

    static func main(arguments: [String]) -> Never {
        guard let options = parse(arguments) else {
            fail(64, "usage: text-extractor text|pdf|docx|xlsx|pptx FILE [--max-text-bytes N] [--max-part-bytes N] ...")
        }
        limit(RLIMIT_CPU, UInt(options.cpuSeconds))
        limit(RLIMIT_AS, UInt(options.memoryMiB) << 20)
        let output = Output(limit: options.maxTextBytes)
        var parts: Int32 = 0
        var error = [CChar](repeating: 0, count: 512)
        let status: cte_status
        switch options.format {
        case "text":
            guard let bytes = try? FileIO.read(path: options.path) else { fail(2, "the file could not be read") }
            _ = output.write(Array(String(decoding: bytes, as: UTF8.self).utf8))
            status = output.stopped ? CTE_STOPPED : CTE_OK
            parts = 1
        case "pdf":
            guard let bytes = try? FileIO.read(path: options.path) else { fail(2, "the file could not be read") }
            status = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    cte_pdf_text(chars.baseAddress, chars.count, Output.writer, output.context, &parts, &error, error.count)
                }
            }
        case "docx", "xlsx", "pptx":
            let kind = options.format == "docx" ? CTE_DOCX : options.format == "xlsx" ? CTE_XLSX : CTE_PPTX
            status = cte_office_text(
                options.path, kind, options.maxPartBytes, options.maxTotalBytes, Output.writer, output.context, &parts, &error, error.count)
        default:
            fail(64, "unknown format \(options.format)")
        }
        output.flush()
        let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch status {
        case CTE_OK: done(0, parts)
        case CTE_STOPPED: done(3, parts)
        case CTE_OVER_BUDGET: fail(4, reason)
        default: fail(2, reason.isEmpty ? "the file is not a readable \(options.format)" : reason)
        }
    }

    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var positional: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument.hasPrefix("--") {
                guard index + 1 < arguments.count, let value = Int(arguments[index + 1]), value > 0 else { return nil }
                switch argument {
                case "--max-text-bytes": options.maxTextBytes = value
                case "--max-part-bytes": options.maxPartBytes = value
                case "--max-total-bytes": options.maxTotalBytes = value
                case "--cpu-seconds": options.cpuSeconds = value
                case "--memory-mib": options.memoryMiB = value
                default: return nil
                }
                index += 2
            } else {
                positional.append(argument)
                index += 1
            }
        }
        guard positional.count == 2 else { return nil }
        options.format = positional[0]
        options.path = positional[1]
        return options
    }

    static func limit(_ resource: __rlimit_resource, _ value: UInt) {
        var bound = rlimit(rlim_cur: value, rlim_max: value)
        setrlimit(__rlimit_resource_t(resource.rawValue), &bound)
    }

    static func standardError(_ line: String) {
        Array((line + "\n").utf8).withUnsafeBytes { _ = POSIX.writeAll(2, $0) }
    }

    static func done(_ code: Int32, _ parts: Int32) -> Never {
        standardError("parts=\(parts)")
        exit(code)
    }

    static func fail(_ code: Int32, _ reason: String) -> Never {
        standardError(reason)
        exit(code)
    }
}

/// Standard output with a byte budget: the text is cut at the last whole UTF-8 character that
/// fits, and the writer then asks the library to stop.
final class Output {
    let limit: Int
    private(set) var written = 0
    private(set) var stopped = false
    private var buffer: [UInt8] = []

    init(limit: Int) {
        self.limit = limit
        buffer.reserveCapacity(64 << 10)
    }

    var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static let writer: cte_writer = { bytes, length, context in
        let output = Unmanaged<Output>.fromOpaque(context!).takeUnretainedValue()
        return output.write(UnsafeRawBufferPointer(start: bytes, count: length)) ? 0 : 1
    }

    /// False once the budget is spent.
    func write(_ bytes: some Collection<UInt8>) -> Bool {
        guard !stopped else { return false }
        var piece = Array(bytes)
        if written + piece.count > limit {
            var end = max(0, limit - written)
            while end > 0, end < piece.count, piece[end] & 0xC0 == 0x80 { end -= 1 }
            piece = Array(piece[..<end])
            stopped = true
        }
        written += piece.count
        buffer.append(contentsOf: piece)
        if buffer.count >= 64 << 10 { flush() }
        return !stopped
    }

    func flush() {
        buffer.withUnsafeBytes { _ = POSIX.writeAll(1, $0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
