import Foundation
import Shared
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One client holding thousands of half-open connections (a request head that never ends)
/// cannot starve nginx: everyone else is still answered at once.
@Suite(.onTheStack, .serialized)
struct SlowClientTests {
    /// A TCP connection to nginx from `source` (another loopback address) that sends the start of
    /// a request head and nothing more.
    static func halfOpen(from source: String, port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_addr.s_addr = inet_addr("127.0.0.1")
        remote.sin_port = port.bigEndian
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, connected == 0 else {
            close(fd)
            return nil
        }
        let start = "POST /functions/v1/user-bucket-service HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        _ = start.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        return fd
    }

    @Test func aNormalRequestIsAnsweredWhileOneClientHoldsThousandsOfHalfOpenConnections() throws {
        let port = Stack.shared.port
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for _ in 0..<4_500 {
            guard let fd = Self.halfOpen(from: "127.0.0.2", port: port) else { break }
            held.append(fd)
        }
        #expect(held.count == 4_500)
        usleep(200_000)  // nginx has accepted what it will
        let started = MonotonicClock.nanoseconds()
        let answer = try Stack.shared.client().post(
            "user-bucket-service", json: #"{"action":"normalize-phone","whatsappNumber":"+55 11 98765-4321"}"#, token: Tokens.anon)
        let seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        #expect(answer.status == 200)
        #expect(seconds < 2, "answered after \(seconds) s")
    }
}
