/// Metadata keys used on log lines; dotted, constant.
public enum LogKey {
    public static let requestID = "request.id"
    public static let function = "function"
    public static let route = "route"
    public static let method = "method"
    public static let status = "status"
    public static let durationMs = "duration_ms"
    public static let outcome = "outcome"
    public static let userID = "user.id"
    public static let bucket = "bucket"
    public static let phone = "phone.masked"
    public static let error = "error"
    public static let step = "identify.step"
}
