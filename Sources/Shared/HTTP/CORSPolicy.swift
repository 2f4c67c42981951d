/// The CORS headers every response of a function carries (SPEC section 1).
public struct CORSPolicy: Sendable {
    /// Origins allowed; `["*"]` allows any.
    public let allowedOrigins: [String]
    /// The methods this function accepts, e.g. `["POST", "OPTIONS"]`.
    public let allowedMethods: [String]

    public static let allowedHeaders = "authorization, x-client-info, apikey, content-type, x-retry-count, x-request-id"

    public init(allowedOrigins: [String] = ["*"], allowedMethods: [String]) {
        self.allowedOrigins = allowedOrigins.isEmpty ? ["*"] : allowedOrigins
        self.allowedMethods = allowedMethods
    }

    /// Reads `CORS_ALLOWED_ORIGINS` (comma-separated, default `*`).
    public init(environment: Environment, allowedMethods: [String]) {
        let origins = environment.get("CORS_ALLOWED_ORIGINS", default: "*")
            .split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        self.init(allowedOrigins: origins, allowedMethods: allowedMethods)
    }

    /// The headers for a response to a request from `origin`.
    public func headers(origin: String?) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if allowedOrigins.contains("*") {
            headers.append(("Access-Control-Allow-Origin", "*"))
        } else if let origin, allowedOrigins.contains(origin) {
            headers.append(("Access-Control-Allow-Origin", origin))
            headers.append(("Vary", "Origin"))
        } else {
            headers.append(("Vary", "Origin"))
        }
        headers.append(("Access-Control-Allow-Headers", Self.allowedHeaders))
        headers.append(("Access-Control-Allow-Methods", allowedMethods.joined(separator: ", ")))
        return headers
    }

    /// The answer to a preflight `OPTIONS`: 200 `ok`, no auth.
    public func preflight(origin: String?) -> Response {
        var response = Response.text("ok")
        response.headers.insert(contentsOf: headers(origin: origin), at: 0)
        return response
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let utf8 = self.utf8
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, utf8[start] == 0x20 || utf8[start] == 0x09 { start = utf8.index(after: start) }
        while end > start {
            let before = utf8.index(before: end)
            guard utf8[before] == 0x20 || utf8[before] == 0x09 else { break }
            end = before
        }
        return String(self[start..<end])
    }
}
