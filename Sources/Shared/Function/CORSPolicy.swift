/// The CORS headers every response of a function carries (SPEC section 1).
package struct CORSPolicy: Sendable {
    /// Origins allowed; `["*"]` allows any.
    package let allowedOrigins: [String]
    /// The methods this function accepts, e.g. `["POST", "OPTIONS"]`.
    package let allowedMethods: [String]

    package static let allowedHeaders = "authorization, x-client-info, apikey, content-type, x-retry-count, x-request-id"

    /// `*` is among the origins (decided once, not per answer).
    private let anyOrigin: Bool
    /// The constant headers, their lines made once.
    private let anyOriginHeader = HTTPHeader.preformatted("Access-Control-Allow-Origin", "*")
    private let varyHeader = HTTPHeader.preformatted("Vary", "Origin")
    private let allowHeadersHeader = HTTPHeader.preformatted("Access-Control-Allow-Headers", CORSPolicy.allowedHeaders)
    private let allowMethodsHeader: HTTPHeader

    package init(allowedOrigins: [String] = ["*"], allowedMethods: [String]) {
        self.allowedOrigins = allowedOrigins.isEmpty ? ["*"] : allowedOrigins
        self.allowedMethods = allowedMethods
        self.allowMethodsHeader = .preformatted("Access-Control-Allow-Methods", allowedMethods.joined(separator: ", "))
        self.anyOrigin = self.allowedOrigins.contains("*")
    }

    /// Reads `CORS_ALLOWED_ORIGINS` (comma-separated, default `*`).
    package init(environment: Environment, allowedMethods: [String]) {
        let origins = environment.get("CORS_ALLOWED_ORIGINS", default: "*")
            .split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        self.init(allowedOrigins: origins, allowedMethods: allowedMethods)
    }

    /// The headers for a response to a request from `origin`.
    package func headers(origin: String?) -> [HTTPHeader] {
        var headers: [HTTPHeader] = []
        headers.reserveCapacity(4)
        append(to: &headers, origin: origin)
        return headers
    }

    /// The same headers appended to `headers` (no array of their own: every answer gets them).
    package func append(to headers: inout [HTTPHeader], origin: String?) {
        if anyOrigin {
            headers.append(anyOriginHeader)
        } else if let origin, allowedOrigins.contains(origin) {
            headers.append(HTTPHeader("Access-Control-Allow-Origin", origin))
            headers.append(varyHeader)
        } else {
            headers.append(varyHeader)
        }
        headers.append(allowHeadersHeader)
        headers.append(allowMethodsHeader)
    }

    /// The answer to a preflight `OPTIONS`: 200 `ok`, no auth.
    package func preflight(origin: String?) -> Response {
        var response = Response.text("ok")
        response.headers.insert(contentsOf: headers(origin: origin), at: 0)
        return response
    }
}
