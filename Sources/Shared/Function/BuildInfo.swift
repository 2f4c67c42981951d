#if canImport(Glibc)
    import Glibc
#endif

/// What is running: the version (bumped with every release), and when this process started.
package enum BuildInfo {
    package static let version = "0.17.0"

    /// The process's start, on the monotonic clock.
    package static let startedAt = MonotonicClock.milliseconds()

    package static var uptimeSeconds: Int { (MonotonicClock.milliseconds() - startedAt) / 1000 }
}
