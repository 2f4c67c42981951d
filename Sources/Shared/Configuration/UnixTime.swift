#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock time in Unix seconds.
public enum UnixTime {
    public static func now() -> Int {
        Int(time(nil))
    }
}
