#if canImport(Glibc)
    import Glibc
#endif

/// The system calls' one rule for signals, in one place: a call a signal interrupted (`EINTR`)
/// is made again; any other failure is the caller's to report.
package enum POSIX {
    /// `call()` until a signal did not interrupt it: its result (negative with `errno` set on
    /// any other failure).
    package static func retryingInterrupts<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    /// Writes all of `bytes` to `fd`; false (with `errno` set) when a write fails.
    package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var written = 0
        while written < bytes.count {
            let result = retryingInterrupts { Glibc.write(fd, bytes.baseAddress! + written, bytes.count - written) }
            if result < 0 { return false }
            written += result
        }
        return true
    }

    /// Sleeps `milliseconds`, however many signals arrive meanwhile.
    package static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
