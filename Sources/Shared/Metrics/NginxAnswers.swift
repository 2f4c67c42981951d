#if canImport(Glibc)
    import Glibc
#endif

/// The requests nginx answered itself (nginx/limits.conf's `ub_answers` log: `<status> <path>`
/// per line), counted for the scrape as `userbuckets_nginx_answers_total{function,status}`: a
/// 413, a 429, a 404 for an unknown path, a pool that did not answer (503/504). The workers
/// never see these requests.
///
/// Read as it grows: each scrape reads only what was appended since the last one this worker
/// served (the first reads the log once, a chunk at a time), and a line not yet finished waits.
/// A log replaced (another inode: rotated) or cut shorter (truncated) is counted from its start
/// again, which Prometheus takes as a counter reset. One per serving thread.
package final class NginxAnswers {
    static let functions: Set<String> = ["user-bucket-service", "create-user-bucket", "chatwoot-webhook", "knowledge-base-storage"]

    private let path: String?
    private var counts: [String: Int] = [:]
    /// Which file was read, and how far (up to the end of its last complete line).
    private var device: UInt64 = 0
    private var inode: UInt64 = 0
    private var offset: Int64 = 0
    /// Bytes read in all (for the tests: a scrape reads only what is new).
    package private(set) var bytesRead = 0

    package init(path: String?) {
        self.path = path
    }

    /// The series (nothing when there is no log or no line yet).
    package func exposition() -> String {
        guard let path else { return "" }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return series() }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return series() }
        if UInt64(info.st_dev) != device || UInt64(info.st_ino) != inode || Int64(info.st_size) < offset {
            (device, inode, offset) = (UInt64(info.st_dev), UInt64(info.st_ino), 0)
            counts.removeAll()
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var carried: [UInt8] = []
        while offset + Int64(carried.count) < Int64(info.st_size) {
            let got = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset) + off_t(carried.count)) }
            guard got > 0 else { break }
            bytesRead += got
            var bytes = carried
            bytes.append(contentsOf: chunk[0..<got])
            // Only whole lines count; the rest is read again with the next chunk or scrape.
            guard let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else {
                carried = bytes
                if carried.count > 1 << 16 {  // no log line is this long: skip it
                    offset += Int64(carried.count)
                    carried.removeAll()
                }
                continue
            }
            for line in bytes[...lastNewline].split(separator: UInt8(ascii: "\n")) { count(line) }
            offset += Int64(lastNewline + 1)
            carried = Array(bytes[(lastNewline + 1)...])
        }
        return series()
    }

    private func count(_ line: ArraySlice<UInt8>) {
        guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { return }
        let status = String(decoding: line[line.startIndex..<space], as: UTF8.self)
        guard status.count == 3, status.allSatisfy(\.isNumber) else { return }
        let uri = String(decoding: line[(space + 1)...], as: UTF8.self)
        let name = uri.hasPrefix("/functions/v1/") ? String(uri.dropFirst("/functions/v1/".count)) : ""
        let function = Self.functions.contains(name) ? name : "other"
        counts["userbuckets_nginx_answers_total{function=\"\(function)\",status=\"\(status)\"}", default: 0] += 1
    }

    private func series() -> String {
        guard !counts.isEmpty else { return "" }
        return "# HELP userbuckets_nginx_answers_total Requests nginx answered itself (no pool did), by function and status.\n"
            + "# TYPE userbuckets_nginx_answers_total counter\n" + counts.keys.sorted().map { "\($0) \(counts[$0]!)\n" }.joined()
    }
}
