/// The requests nginx answered itself (nginx/limits.conf's `ub_answers` log: `<status> <path>`
/// per line), counted for the scrape as `userbuckets_nginx_answers_total{function,status}`: a
/// 413, a 429, a 404 for an unknown path, a pool that did not answer (503/504). The workers
/// never see these requests. Counted from the start of the log (a rotated log starts over, which
/// Prometheus takes as a counter reset).
package enum NginxAnswers {
    static let functions: Set<String> = ["user-bucket-service", "create-user-bucket", "chatwoot-webhook", "knowledge-base-storage"]

    /// The series for the log at `path` (nothing when there is none).
    package static func exposition(path: String?) -> String {
        guard let path, let bytes = try? FileIO.read(path: path) else { return "" }
        var counts: [String: Int] = [:]
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { continue }
            let status = String(decoding: line[line.startIndex..<space], as: UTF8.self)
            guard status.count == 3, status.allSatisfy(\.isNumber) else { continue }
            let uri = String(decoding: line[(space + 1)...], as: UTF8.self)
            let name = uri.hasPrefix("/functions/v1/") ? String(uri.dropFirst("/functions/v1/".count)) : ""
            let function = functions.contains(name) ? name : "other"
            counts["userbuckets_nginx_answers_total{function=\"\(function)\",status=\"\(status)\"}", default: 0] += 1
        }
        guard !counts.isEmpty else { return "" }
        return "# HELP userbuckets_nginx_answers_total Requests nginx answered itself (no pool did), by function and status.\n"
            + "# TYPE userbuckets_nginx_answers_total counter\n" + counts.keys.sorted().map { "\($0) \(counts[$0]!)\n" }.joined()
    }
}
