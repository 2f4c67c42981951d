#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock time in Unix seconds, and its UTC calendar forms.
package enum UnixTime {
    package static func now() -> Int {
        Int(time(nil))
    }

    /// `YYYY-MM-DD` (UTC) of a Unix time.
    package static func date(_ seconds: Int) -> String {
        let parts = utc(seconds)
        return "\(parts.tm_year + 1900)-\(twoDigits(parts.tm_mon + 1))-\(twoDigits(parts.tm_mday))"
    }

    /// RFC 3339 in UTC to the second, e.g. `2026-11-25T17:46:41Z`.
    package static func iso8601(_ seconds: Int) -> String {
        let parts = utc(seconds)
        return "\(date(seconds))T\(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec))Z"
    }

    static func utc(_ seconds: Int) -> tm {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return parts
    }

    static func twoDigits(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

/// A clock for durations and deadlines: never goes back, whatever the wall clock does.
package enum MonotonicClock {
    package static func nanoseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int(now.tv_sec) * 1_000_000_000 + Int(now.tv_nsec)
    }

    package static func milliseconds() -> Int {
        nanoseconds() / 1_000_000
    }

    /// Wall-clock Unix milliseconds (for names that sort by time, like the original's
    /// `Date.now()`); not for durations.
    package static func wallMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000
    }
}
