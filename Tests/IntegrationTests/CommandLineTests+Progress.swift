import Foundation
import Shared
import Testing

/// Long CLI work shows progress on a terminal, and nothing of it when piped or `--json`.
extension CommandLineTests {
    @Test func progressOnATerminalOnly() throws {
        let migrations = try FileIO.list(directory: stack.values["UB_ROOT"]! + "/db/migrations").filter { $0.hasSuffix(".sql") }.count
        // `script` gives the command a pseudo-terminal (util-linux, in every Debian).
        let terminal = try stack.shell(#"script -qec '"$UB_BIN/userbuckets" migrate --directory "$UB_ROOT/db/migrations"' /dev/null"#)
        #expect(terminal.output.contains("\rmigrations: \(migrations) of \(migrations)"), "\(terminal.output.debugDescription)")
        #expect(terminal.output.contains(#""applied":[]"#))
        let listed = try stack.shell(#"script -qec '"$UB_BIN/userbuckets" list-buckets' /dev/null"#)
        #expect(listed.output.contains("\rlisting buckets: "), "\(listed.output.prefix(300).debugDescription)")
        let quiet = try stack.shell(#"script -qec '"$UB_BIN/userbuckets" list-buckets --json' /dev/null"#)
        #expect(!quiet.output.contains("\r listing") && !quiet.output.contains("listing buckets"), "\(quiet.output.prefix(300).debugDescription)")
        let uploads = try stack.shell(
            #"script -qec '"$UB_BIN/userbuckets" object load-test ub-progress-test --size 64 --count 40 --threads 2' /dev/null"#)
        #expect(uploads.output.contains("\ruploads: 40 of 40"), "\(uploads.output.prefix(400).debugDescription)")
        try Fixtures().rows(
            "INSERT INTO userbuckets_jobs (kind, payload, status, attempts, last_error) SELECT 'progress-test', '{}', 'failed', 8, 'test' FROM generate_series(1, 3) RETURNING 1"
        )
        let retried = try stack.shell(#"script -qec '"$UB_BIN/userbuckets" jobs retry --failed' /dev/null"#)
        #expect(retried.output.contains("\rrequeued: "), "\(retried.output.prefix(400).debugDescription)")
        #expect(try Fixtures().rows("SELECT count(*) FROM userbuckets_jobs WHERE kind = 'progress-test' AND status = 'queued'") == [["3"]])
        try Fixtures().rows("DELETE FROM userbuckets_jobs WHERE kind = 'progress-test' RETURNING 1")
        let piped = try stack.shell(#""$UB_BIN/userbuckets" migrate --directory "$UB_ROOT/db/migrations" 2>&1 | cat"#)
        #expect(!piped.output.contains("\r"), "\(piped.output.debugDescription)")
        #expect(piped.output == #"{"applied":[]}"# + "\n")
    }
}
