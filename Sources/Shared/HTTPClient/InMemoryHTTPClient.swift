import Synchronization

/// `HTTPClient` in memory, for tests: answers from a closure (or fails as a transport would)
/// and remembers every request. A download sink gets a 2xx body in one piece.
package final class InMemoryHTTPClient: HTTPClient, Sendable {
    private let answer: @Sendable (HTTPClientRequest) -> Result<HTTPClientResponse, HTTPClientError>
    private let sent = Mutex<[HTTPClientRequest]>([])

    package init(answer: @escaping @Sendable (HTTPClientRequest) -> Result<HTTPClientResponse, HTTPClientError>) {
        self.answer = answer
    }

    package var requests: [HTTPClientRequest] { sent.withLock { $0 } }

    package func send(
        _ request: HTTPClientRequest, download: ((UnsafeRawBufferPointer) throws -> Void)?
    ) throws(HTTPClientError) -> HTTPClientResponse {
        sent.withLock { $0.append(request) }
        var response = try answer(request).get()
        if let download, (200..<300).contains(response.status) {
            do {
                try response.body.withUnsafeBytes { try download($0) }
            } catch {
                throw HTTPClientError(.aborted, "\(error)")
            }
            response.body = []
        }
        return response
    }
}
