import Foundation
import Shared
import TestSupport
import Testing

/// The answers log is read as it grows: only new bytes per scrape, whole lines only, and a
/// rotated or truncated log is counted again from its start.
@Suite struct NginxAnswersTests {
    func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    func value(_ exposition: String, _ function: String, _ status: String) -> Int? {
        let series = "userbuckets_nginx_answers_total{function=\"\(function)\",status=\"\(status)\"} "
        guard let line = exposition.split(separator: "\n").first(where: { $0.hasPrefix(series) }) else { return nil }
        return Int(line.dropFirst(series.count))
    }

    @Test func onlyNewWholeLinesAreReadAndARotatedLogStartsOver() throws {
        let folder = makeTemporaryDirectory(prefix: "ub-answers")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/answers.log"
        try Data("413 /functions/v1/knowledge-base-storage\n404 /nope\n".utf8).write(to: URL(fileURLWithPath: path))
        let answers = NginxAnswers(path: path)
        let first = answers.exposition()
        #expect(value(first, "knowledge-base-storage", "413") == 1)
        #expect(value(first, "other", "404") == 1)
        let readFirst = answers.bytesRead

        // A line being written counts once it is whole; nothing is read twice.
        try append("503 /functions/v1/user-bucket-service\n429 /functions/v1/chatwoot", to: path)
        let second = answers.exposition()
        #expect(value(second, "user-bucket-service", "503") == 1)
        #expect(value(second, "chatwoot-webhook", "429") == nil)
        try append("-webhook\n", to: path)
        let third = answers.exposition()
        #expect(value(third, "chatwoot-webhook", "429") == 1)
        #expect(value(third, "knowledge-base-storage", "413") == 1)
        #expect(answers.bytesRead - readFirst < 200)  // the new bytes, not the whole log again

        // Rotated: a new file under the name starts the counts over.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try Data("504 /functions/v1/create-user-bucket\n".utf8).write(to: URL(fileURLWithPath: path))
        let rotated = answers.exposition()
        #expect(value(rotated, "create-user-bucket", "504") == 1)
        #expect(value(rotated, "knowledge-base-storage", "413") == nil)

        // Truncated in place (copytruncate): from the start again too.
        try append("413 /functions/v1/knowledge-base-storage\n", to: path)
        _ = answers.exposition()
        try Data("404 /x\n".utf8).write(to: URL(fileURLWithPath: path))
        let truncated = answers.exposition()
        #expect(value(truncated, "other", "404") == 1)
        #expect(value(truncated, "create-user-bucket", "504") == nil)
        #expect(NginxAnswers(path: folder + "/missing.log").exposition() == "")
    }
}
