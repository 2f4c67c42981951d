/// An outbound HTTP request.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// An HTTP response: status, headers (lowercased names) and the whole body.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why an outbound call failed before an HTTP status came back.
public struct HTTPClientError: Error, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidURL
        case connect
        case timeout
        case tooLarge
        case transport
    }

    public let code: Code
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "HTTPClientError(\(code.rawValue)): \(detail)" }
}

/// The outbound HTTP seam: `CurlHTTPClient` live, a closure-backed stub in tests.
public protocol HTTPClient: AnyObject {
    /// Sends `request` and waits for the whole answer.
    func send(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse
}
