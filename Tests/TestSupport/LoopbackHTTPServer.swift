import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The one stand-in HTTP server of the tests, for every remote service that cannot run here
/// (Chatwoot's attachment host, OpenAI, a JWKS endpoint, GCS's JSON API for unit tests): on
/// 127.0.0.1 (or ::1), one thread per connection, one request per connection, answers from a
/// closure, and it remembers what it was sent.
public final class LoopbackHTTPServer: Sendable {
    public struct Request: Sendable {
        public let method: String
        public let path: String
        /// Lowercased names.
        public let headers: [String: String]
        public let body: [UInt8]
    }

    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// Milliseconds to wait before answering; `hang` waits until the client leaves.
        public var delayMs: Int
        public var hang: Bool

        public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], delayMs: Int = 0, hang: Bool = false) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delayMs = delayMs
            self.hang = hang
        }

        public static func json(_ status: Int, _ body: [UInt8], headers: [(String, String)] = []) -> Reply {
            Reply(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
        }
    }

    public let port: UInt16
    private let listener: Int32
    private let host: String
    private let respond: @Sendable (Request) -> Reply
    private let received = Mutex<[Request]>([])

    public init(ipv6: Bool = false, respond: @escaping @Sendable (Request) -> Reply) {
        self.respond = respond
        host = ipv6 ? "[::1]" : "127.0.0.1"
        (listener, port) = listenOnLoopback(ipv6: ipv6)
        let thread = Thread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 { return }
                Thread { [self] in self.handle(connection) }.start()
            }
        }
        thread.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// `http://127.0.0.1:<port>` (or `localhost`: a different host name, same machine).
    public func url(host: String? = nil) -> String { "http://\(host ?? self.host):\(port)" }

    /// `url()`.
    public var baseURL: String { url() }

    /// What it was sent, in order.
    public var requests: [Request] { received.withLock { $0 } }

    public var requestCount: Int { received.withLock { $0.count } }

    private func handle(_ fd: Int32) {
        defer { close(fd) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var request: Request?
        while request == nil {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            data.append(contentsOf: buffer[0..<count])
            guard
                let end = (0..<max(0, data.count - 3)).first(where: {
                    data[$0] == 13 && data[$0 + 1] == 10 && data[$0 + 2] == 13 && data[$0 + 3] == 10
                })
            else { continue }
            let lines = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            if data.count < end + 4 + length { continue }
            let parts = lines[0].split(separator: " ")
            request = Request(
                method: parts.first.map(String.init) ?? "", path: parts.dropFirst().first.map(String.init) ?? "/", headers: headers,
                body: Array(data[(end + 4)..<(end + 4 + length)]))
        }
        guard let request else { return }
        received.withLock { $0.append(request) }
        let reply = respond(request)
        if reply.hang {
            var pollfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&pollfd, 1, 60_000)
            return
        }
        if reply.delayMs > 0 { usleep(UInt32(reply.delayMs) * 1000) }
        var head = "HTTP/1.1 \(reply.status) X\r\nContent-Length: \(reply.body.count)\r\nConnection: close\r\n"
        for (name, value) in reply.headers { head += "\(name): \(value)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + reply.body
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }
}
