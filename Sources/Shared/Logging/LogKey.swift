/// Metadata keys used on log lines; dotted, constant.
package enum LogKey {
    package static let requestID = "request.id"
    package static let function = "function"
    package static let route = "route"
    package static let method = "method"
    package static let status = "status"
    package static let durationMs = "duration_ms"
    package static let outcome = "outcome"
    package static let userID = "user.id"
    package static let bucket = "bucket"
    package static let phone = "phone.masked"
    package static let error = "error"
    package static let step = "identify.step"
}
