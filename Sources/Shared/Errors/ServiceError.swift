/// An error that maps to an HTTP status and a public message.
///
/// `publicMessage` is what a caller may read; it never holds a phone number, a secret or an
/// internal cause. `underlying` is for the log only.
public struct ServiceError: Error, CustomStringConvertible {
    /// What went wrong, and so which status answers it.
    public enum Code: String, Sendable {
        case badRequest
        case unauthorized
        case forbidden
        case notFound
        case methodNotAllowed
        case payloadTooLarge
        case unsupportedMediaType
        case conflict
        case dependencyFailed
        case unavailable
        case timeout
        case `internal`
    }

    public let code: Code
    public let publicMessage: String
    /// A body that replaces the default error body (e.g. the Supabase gateway's 401 shape).
    public let body: JSON?
    public let underlying: (any Error)?

    public init(_ code: Code, _ publicMessage: String, body: JSON? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.publicMessage = publicMessage
        self.body = body
        self.underlying = underlying
    }

    public var status: HTTPStatus {
        switch code {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .payloadTooLarge: .payloadTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .conflict: .conflict
        case .dependencyFailed: .badGateway
        case .unavailable: .serviceUnavailable
        case .timeout: .gatewayTimeout
        case .internal: .internalServerError
        }
    }

    /// Only the code and public message: safe for any log or response.
    public var description: String { "\(code.rawValue): \(publicMessage)" }

    public static func badRequest(_ message: String) -> ServiceError { ServiceError(.badRequest, message) }
    public static func forbidden(_ message: String) -> ServiceError { ServiceError(.forbidden, message) }
    public static func notFound(_ message: String) -> ServiceError { ServiceError(.notFound, message) }
    public static let methodNotAllowed = ServiceError(.methodNotAllowed, "Method not allowed")
    public static let invalidAction = ServiceError(.badRequest, "Invalid action")

    /// The database could not be reached or failed; the cause is kept for the log.
    public static func database(_ error: any Error) -> ServiceError {
        ServiceError(.unavailable, "Database unavailable", underlying: error)
    }

    /// The storage backend failed; the cause is kept for the log.
    public static func storage(_ error: any Error) -> ServiceError {
        ServiceError(.dependencyFailed, "Storage unavailable", underlying: error)
    }
}
