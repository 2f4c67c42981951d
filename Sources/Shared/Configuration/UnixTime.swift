#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock time in Unix seconds.
public enum UnixTime {
    public static func now() -> Int {
        Int(time(nil))
    }
}

extension UnixTime {
    /// `YYYY-MM-DD` (UTC) of a Unix time.
    public static func date(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
    }

    /// RFC 3339 UTC with milliseconds of zero, e.g. `2026-11-25T17:46:41Z`.
    public static func iso8601(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(date(seconds))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
