import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// A progress line for long work, on standard error and only when it is a terminal: `\r` and
/// the line again at most ten times a second, a newline when done. Piped output, logs and
/// `--json` runs get nothing from it.
final class Progress {
    private let label: String
    private let enabled: Bool
    private var lastDraw = 0
    private var drawn = false

    init(_ label: String, json: Bool = false) {
        self.label = label
        self.enabled = !json && isatty(2) == 1
    }

    /// Shows `done` (and `total` when known).
    func update(_ done: Int, of total: Int? = nil) {
        guard enabled else { return }
        let now = MonotonicClock.milliseconds()
        guard now - lastDraw >= 100 || (total != nil && done == total) else { return }
        lastDraw = now
        drawn = true
        let figure = total.map { "\(done) of \($0)" } ?? "\(done)"
        FileHandleStandardError.write("\r\(label): \(figure)\u{1B}[K")
    }

    /// Ends the line (when one was drawn).
    func finish() {
        guard enabled, drawn else { return }
        FileHandleStandardError.write("\n")
    }
}
