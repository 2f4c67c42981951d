/// An inbound HTTP request as a handler sees it: no FastCGI in sight.
package struct Request: Sendable {
    package var method: String
    /// The path without the query string, e.g. `/functions/v1/user-bucket-service`.
    package var path: String
    /// The raw query string, without `?`.
    package var query: String
    /// Headers in the order they came, names lowercased (`authorization`, `content-type`).
    /// A list, not a dictionary: a request has about ten, and a scan is cheaper than hashing.
    package var headers: [HTTPHeader]
    package var body: [UInt8]
    package var remoteAddress: String

    package init(
        method: String, path: String, query: String = "", headers: [HTTPHeader],
        body: [UInt8] = [], remoteAddress: String = ""
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// A request with headers given by name (any case).
    package init(
        method: String, path: String, query: String = "", headers: [String: String] = [:],
        body: [UInt8] = [], remoteAddress: String = ""
    ) {
        self.init(
            method: method, path: path, query: query,
            headers: headers.map { HTTPHeader($0.key.lowercased(), $0.value) }, body: body,
            remoteAddress: remoteAddress)
    }

    /// A query parameter's raw value (not percent-decoded: tokens and links are URL-safe).
    package func queryValue(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == name { return String(parts[1]) }
        }
        return nil
    }

    /// The value of a header; `name` is matched case-insensitively.
    package func header(_ name: String) -> String? {
        headers.first { $0.isNamed(name) }?.value
    }

    /// The body parsed as JSON; throws a 400 `ServiceError` that says what is wrong.
    package func jsonBody(limits: JSONParser.Limits = .default) throws(ServiceError) -> JSON {
        if body.isEmpty { throw ServiceError.badRequest("Request body is empty; expected a JSON object") }
        do {
            return try JSONParser.parse(body, limits: limits)
        } catch {
            throw Self.jsonError(error)
        }
    }

    /// A JSON parser error as the caller's answer: 413 for a limit, 400 for malformed JSON.
    package static func jsonError(_ error: JSONParser.Error) -> ServiceError {
        error.isLimit
            ? ServiceError(.payloadTooLarge, "Request body is too large a JSON document: \(error.description)")
            : ServiceError.badRequest("Request body is not valid JSON: \(error.description)")
    }
}
