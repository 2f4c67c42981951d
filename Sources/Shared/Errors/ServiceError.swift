/// An error that maps to an HTTP status and a public message.
///
/// `publicMessage` is what a caller may read; it never holds a phone number, a secret or an
/// internal cause. `underlying` is for the log only.
package struct ServiceError: Error, CustomStringConvertible {
    /// What went wrong, and so which status answers it.
    package enum Code: String, Sendable {
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

    package let code: Code
    package let publicMessage: String
    /// A body that replaces the default error body (e.g. the Supabase gateway's 401 shape).
    package let body: JSON?
    package let underlying: (any Error)?

    package init(_ code: Code, _ publicMessage: String, body: JSON? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.publicMessage = publicMessage
        self.body = body
        self.underlying = underlying
    }

    package var status: HTTPStatus {
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
    package var description: String { "\(code.rawValue): \(publicMessage)" }

    package static func badRequest(_ message: String) -> ServiceError { ServiceError(.badRequest, message) }
    package static func forbidden(_ message: String) -> ServiceError { ServiceError(.forbidden, message) }
    package static func notFound(_ message: String) -> ServiceError { ServiceError(.notFound, message) }
    package static let methodNotAllowed = ServiceError(.methodNotAllowed, "Method not allowed")
    /// The original's 405 body, `{"error":"Method not allowed"}`.
    package static let methodNotAllowedOriginal = ServiceError(
        .methodNotAllowed, "Method not allowed", body: .object(["error": .string("Method not allowed")]))

    /// The error as its answer: its own body if it has one; else 4xx `{success:false, error}`,
    /// 5xx the same plus `details` = the request id (the cause stays in the log).
    package func response(requestID: String) -> Response {
        if let body { return .json(body, status: status) }
        if status.code >= 500 {
            return .json(.object(["success": .bool(false), "error": .string(publicMessage), "details": .string(requestID)]), status: status)
        }
        return .json(.object(["success": .bool(false), "error": .string(publicMessage)]), status: status)
    }
    package static let invalidAction = ServiceError(.badRequest, "Invalid action")

    /// What a database error means for the caller, by SQLSTATE class: only the database being
    /// unreachable, overloaded or shutting down (and a statement timeout or a lost race it
    /// chose to cancel) is 503; a value it refused (22xxx) is the caller's 400, a reference to
    /// a row that does not exist (23503) 404, a duplicate (23505) 409, other constraint
    /// violations 400; anything else is our bug, 500. The cause is kept for the log.
    package static func database(_ error: any Error) -> ServiceError {
        if error is DuplicateRecord { return ServiceError(.conflict, "Already exists", underlying: error) }
        guard let error = error as? PostgresError, error.kind == .statement, let state = error.sqlState else {
            return ServiceError(.unavailable, "Database unavailable", underlying: error)
        }
        switch state {
        case "23503": return ServiceError(.notFound, "The user or record this refers to does not exist", underlying: error)
        case "23505": return ServiceError(.conflict, "Already exists", underlying: error)
        case "57014", "40001", "40P01", "55P03":
            return ServiceError(.unavailable, "Database unavailable", underlying: error)
        default: break
        }
        switch state.prefix(2) {
        case "22": return ServiceError(.badRequest, "A value is out of range or malformed", underlying: error)
        case "23": return ServiceError(.badRequest, "A value breaks a rule of the data", underlying: error)
        case "08", "53", "57", "58", "XX": return ServiceError(.unavailable, "Database unavailable", underlying: error)
        default: return ServiceError(.internal, "Internal error", underlying: error)
        }
    }

    /// The storage backend failed; the cause is kept for the log.
    package static func storage(_ error: any Error) -> ServiceError {
        ServiceError(.dependencyFailed, "Storage unavailable", underlying: error)
    }
}
