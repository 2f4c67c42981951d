import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for stand-ins of remote services (a JWKS endpoint):
/// one thread, one request per connection, answers from a closure.
final class LocalHTTPServer: Sendable {
    struct Reply: Sendable {
        var status: Int
        var body: [UInt8]
        /// Seconds to wait before answering (to test timeouts).
        var delay: UInt32 = 0
    }

    let port: UInt16
    let requests = Atomic<Int>(0)
    private let listener: Int32
    private let respond: @Sendable (String, [UInt8]) -> Reply

    /// Answers from the request's path.
    convenience init(respond: @escaping @Sendable (String) -> Reply) {
        self.init(respondToBody: { path, _ in respond(path) })
    }

    /// Answers from the request's path and body; on ::1 with `ipv6`.
    init(ipv6: Bool = false, respondToBody respond: @escaping @Sendable (String, [UInt8]) -> Reply) {
        self.respond = respond
        (listener, port) = listenOnLoopback(backlog: 16, ipv6: ipv6)
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        pthread_create(
            &thread, nil,
            { pointer in
                let server = Unmanaged<LocalHTTPServer>.fromOpaque(pointer!).takeRetainedValue()
                server.serve()
                return nil
            }, box)
        pthread_detach(thread)
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            var request: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            var body: [UInt8] = []
            while true {
                if let end = Self.headEnd(request) {
                    let head = String(decoding: request[0..<end], as: UTF8.self).lowercased()
                    let length =
                        head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                        .flatMap { Int($0.dropFirst(15).filter { $0 != " " }) } ?? 0
                    if request.count >= end + 4 + length {
                        body = Array(request[(end + 4)..<(end + 4 + length)])
                        break
                    }
                }
                let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                request.append(contentsOf: buffer[0..<count])
            }
            requests.add(1, ordering: .relaxed)
            let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
            let path = line.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
            let reply = respond(path, body)
            if reply.delay > 0 { sleep(reply.delay) }
            let head = "HTTP/1.1 \(reply.status) X\r\nContent-Length: \(reply.body.count)\r\nConnection: close\r\n\r\n"
            let bytes = Array(head.utf8) + reply.body
            _ = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(connection)
        }
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
    }
}
