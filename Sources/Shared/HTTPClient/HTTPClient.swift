/// An outbound HTTP request.
package struct HTTPClientRequest: Sendable {
    package var method: String
    package var url: String
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]
    /// Overrides the client's total timeout for this call (a large transfer needs longer).
    package var timeoutMs: Int?
    /// Overrides the client's cap on a buffered response body.
    package var maxResponseBytes: Int?
    /// Connect to this address instead of resolving the URL's host (`host:port:address`, as
    /// curl's `CURLOPT_RESOLVE`): the address a caller already checked is the one used.
    package var pinnedAddress: String?
    /// Never through a proxy, not even a configured one: a checked and pinned address means
    /// nothing once a proxy connects on our behalf.
    package var direct: Bool

    package init(
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
package struct HTTPClientResponse: Sendable {
    package var status: Int
    package var headers: [String: String]
    package var body: [UInt8]

    package init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why an outbound call failed before an HTTP status came back.
package struct HTTPClientError: Error, CustomStringConvertible {
    package enum Code: String, Sendable {
        case invalidURL
        case connect
        case timeout
        case tooLarge
        case transport
        /// The download sink threw; `detail` says why.
        case aborted
    }

    /// Whether trying again may help: the connection failed, timed out or was reset.
    package var isTransient: Bool {
        switch code {
        case .connect, .timeout, .transport: true
        case .invalidURL, .tooLarge, .aborted: false
        }
    }

    package let code: Code
    package let detail: String

    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    package var description: String { "HTTPClientError(\(code.rawValue)): \(detail)" }
}

/// The outbound HTTP seam: `CurlHTTPClient` live, `InMemoryHTTPClient` (a closure) in tests.
package protocol HTTPClient: AnyObject {
    /// Sends `request` and waits for the answer. With `download`, a 2xx body goes to it piece by
    /// piece as it arrives (and is not kept in the response); other statuses keep their body.
    /// An error thrown by `download` ends the transfer (`HTTPClientError.Code.aborted`).
    func send(
        _ request: HTTPClientRequest, download: ((UnsafeRawBufferPointer) throws -> Void)?
    ) throws(HTTPClientError) -> HTTPClientResponse
}

extension HTTPClient {
    /// Sends `request` and waits for the whole answer.
    package func send(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
        try send(request, download: nil)
    }
}
