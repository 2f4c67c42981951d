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
        let piped = try stack.shell(#""$UB_BIN/userbuckets" migrate --directory "$UB_ROOT/db/migrations" 2>&1 | cat"#)
        #expect(!piped.output.contains("\r"), "\(piped.output.debugDescription)")
        #expect(piped.output == #"{"applied":[]}"# + "\n")
    }
}
