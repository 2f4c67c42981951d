#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock time in Unix seconds and milliseconds.
public enum UnixTime {
    public static func now() -> Int {
        Int(time(nil))
    }

    public static func nowMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000
    }
}
