/// An outbound HTTP request.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Overrides the client's total timeout for this call (a large transfer needs longer).
    public var timeoutMs: Int?
    /// Overrides the client's cap on a buffered response body.
    public var maxResponseBytes: Int?
    /// Connect to this address instead of resolving the URL's host (`host:port:address`, as
    /// curl's `CURLOPT_RESOLVE`): the address a caller already checked is the one used.
    public var pinnedAddress: String?
    /// Never through a proxy, not even a configured one: a checked and pinned address means
    /// nothing once a proxy connects on our behalf.
    public var direct: Bool

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeoutMs: Int? = nil, maxResponseBytes: Int? = nil, pinnedAddress: String? = nil, direct: Bool = false
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMs = timeoutMs
        self.maxResponseBytes = maxResponseBytes
        self.pinnedAddress = pinnedAddress
        self.direct = direct
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
        /// The download sink threw; `detail` says why.
        case aborted
    }

    /// Whether trying again may help: the connection failed, timed out or was reset.
    public var isTransient: Bool {
        switch code {
        case .connect, .timeout, .transport: true
        case .invalidURL, .tooLarge, .aborted: false
        }
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
    /// Sends `request` and waits for the answer. With `download`, a 2xx body goes to it piece by
    /// piece as it arrives (and is not kept in the response); other statuses keep their body.
    /// An error thrown by `download` ends the transfer (`HTTPClientError.Code.aborted`).
    func send(
        _ request: HTTPClientRequest, download: ((UnsafeRawBufferPointer) throws -> Void)?
    ) throws(HTTPClientError) -> HTTPClientResponse
}

extension HTTPClient {
    /// Sends `request` and waits for the whole answer.
    public func send(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
        try send(request, download: nil)
    }
}
