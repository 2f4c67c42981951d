import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A local HTTP proxy in front of the GCS emulator that injects faults: the next requests get
/// a status (503, 429 with `Retry-After`), a hung socket or a reset connection; the rest are
/// forwarded. One request per connection (`Connection: close` both ways).
final class FaultProxy: Sendable {
    enum Fault: Sendable, Equatable {
        case status(Int, retryAfter: Int? = nil)
        /// Reads the request and never answers (until the client gives up).
        case hang
        /// Reads the request and resets the connection.
        case reset
    }

    let port: UInt16
    private let upstreamPort: UInt16
    private let listener: Int32
    private let state = Mutex<(queue: [Fault], always: Fault?, seen: [String])>((queue: [], always: nil, seen: []))

    /// - Parameter upstream: `http://127.0.0.1:<port>`.
    init(upstream: String) {
        upstreamPort = UInt16(upstream.split(separator: ":").last!)!
        (listener, port) = listenOnLoopback(backlog: 128)
        Self.detach { [self] in self.acceptLoop() }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The next requests get these faults, in order; then forwarding resumes.
    func inject(_ faults: [Fault]) {
        state.withLock { $0.queue.append(contentsOf: faults) }
    }

    /// Every request gets `fault` until set back to nil.
    func failAll(_ fault: Fault?) {
        state.withLock { $0.always = fault }
    }

    /// Request lines seen so far (`POST /upload/...`), and forgets them.
    func takeSeen() -> [String] {
        state.withLock { state in
            defer { state.seen.removeAll() }
            return state.seen
        }
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            Self.detach { [self] in self.handle(connection) }
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        guard let request = Self.readRequest(client) else { return }
        let requestLine = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
        let fault: Fault? = state.withLock { state in
            state.seen.append(requestLine)
            if let always = state.always { return always }
            return state.queue.isEmpty ? nil : state.queue.removeFirst()
        }
        switch fault {
        case .status(let code, let retryAfter):
            let body = #"{"error":{"code":\#(code),"message":"injected fault"}}"#
            var head = "HTTP/1.1 \(code) Injected\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
            if let retryAfter { head += "Retry-After: \(retryAfter)\r\n" }
            Self.writeAll(client, Array((head + "\r\n" + body).utf8))
        case .hang:
            var pollfd = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            _ = poll(&pollfd, 1, 30_000)  // until the client closes (or 30 s)
        case .reset:
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        case nil:
            forward(request, to: client)
        }
    }

    private func forward(_ request: [UInt8], to client: Int32) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(upstream) }
        var address = loopbackAddress(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return }
        Self.writeAll(upstream, Self.closingConnection(request))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(upstream, $0.baseAddress, $0.count) }
            if count <= 0 { return }
            Self.writeAll(client, Array(buffer[0..<count]))
        }
    }

    /// The request with its `Connection` header replaced by `Connection: close`.
    private static func closingConnection(_ request: [UInt8]) -> [UInt8] {
        let end = headEnd(request)!
        let head = String(decoding: request[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.lowercased().hasPrefix("connection:") }
        lines.append("Connection: close")
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + request[(end + 4)...]
    }

    /// Head and body (by `Content-Length`) of one request; nil when the client went away.
    private static func readRequest(_ fd: Int32) -> [UInt8]? {
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = headEnd(request) {
                let head = String(decoding: request[0..<end], as: UTF8.self).lowercased()
                let length =
                    head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                if request.count >= end + 4 + length { return request }
            }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return nil }
            request.append(contentsOf: buffer[0..<count])
        }
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    private static func detach(_ body: @escaping @Sendable () -> Void) {
        final class Box: @unchecked Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var thread = pthread_t()
        pthread_create(
            &thread, nil,
            { pointer in
                Unmanaged<Box>.fromOpaque(pointer!).takeRetainedValue().body()
                return nil
            }, Unmanaged.passRetained(Box(body)).toOpaque())
        pthread_detach(thread)
    }
}
