#if canImport(Glibc)
    import Glibc
#endif

/// Which addresses an attachment download may reach (SSRF): public internet addresses only,
/// unless configured otherwise. Private, loopback, link-local (the cloud metadata service
/// lives at 169.254.169.254), CGNAT, multicast and reserved ranges are refused, for IPv4 and
/// IPv6 alike.
public struct DownloadPolicy: Sendable {
    /// Allow private and loopback addresses (a Chatwoot on the same network).
    public var allowPrivateNetworks: Bool
    /// Host names allowed whatever they resolve to (`chatwoot.internal`).
    public var allowedHosts: Set<String>

    public init(allowPrivateNetworks: Bool = false, allowedHosts: Set<String> = []) {
        self.allowPrivateNetworks = allowPrivateNetworks
        self.allowedHosts = allowedHosts
    }

    /// Reads `AUDIO_DOWNLOAD_ALLOW_PRIVATE_NETWORKS` (false) and `AUDIO_DOWNLOAD_ALLOWED_HOSTS`
    /// (comma-separated host names).
    public init(environment: Environment) throws(Environment.Error) {
        self.init(
            allowPrivateNetworks: try environment.flag("AUDIO_DOWNLOAD_ALLOW_PRIVATE_NETWORKS", default: false),
            allowedHosts: Set(
                environment.get("AUDIO_DOWNLOAD_ALLOWED_HOSTS", default: "").split(separator: ",").map { $0.trimmingSpaces().lowercased() }.filter {
                    !$0.isEmpty
                }))
    }

    /// An address we may connect to for `host`: the first resolved one that passes; nil (with
    /// the reason) when none does.
    public func address(for host: String, port: Int) -> (address: String?, refusal: String?) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else {
            return (nil, "cannot resolve the host")
        }
        defer { freeaddrinfo(results) }
        let trusted = allowPrivateNetworks || allowedHosts.contains(host.lowercased())
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        var refusal = "no usable address"
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            guard let socketAddress = entry.pointee.ai_addr else { continue }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let isPublic: Bool
            if entry.pointee.ai_family == AF_INET {
                let address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                var copy = address
                inet_ntop(AF_INET, &copy, &text, socklen_t(text.count))
                isPublic = Self.isPublic(ipv4: UInt32(bigEndian: address.s_addr))
            } else if entry.pointee.ai_family == AF_INET6 {
                var address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
                isPublic = withUnsafeBytes(of: &address) { Self.isPublic(ipv6: Array($0)) }
            } else {
                continue
            }
            let printable = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if isPublic || trusted { return (entry.pointee.ai_family == AF_INET6 ? "[\(printable)]" : printable, nil) }
            refusal = "the host resolves to a private, loopback, link-local or reserved address"
        }
        return (nil, refusal)
    }

    static func isPublic(ipv4 value: UInt32) -> Bool {
        let blocked: [(UInt32, UInt32)] = [
            (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16), (0xAC10_0000, 12),
            (0xC000_0000, 24), (0xC000_0200, 24), (0xC0A8_0000, 16), (0xC612_0000, 15), (0xC633_6400, 24), (0xCB00_7100, 24),
            (0xE000_0000, 4), (0xF000_0000, 4),
        ]
        return !blocked.contains { network, bits in value >> (32 - bits) == network >> (32 - bits) }
    }

    static func isPublic(ipv6 bytes: [UInt8]) -> Bool {
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {  // IPv4-mapped
            return isPublic(ipv4: bytes[12..<16].reduce(0) { $0 << 8 | UInt32($1) })
        }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return false }  // :: and ::1
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
        if bytes[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique local (fd00:ec2::254 metadata too)
        if bytes[0] == 0xFF { return false }  // multicast
        if bytes[0] == 0x00, bytes[1] == 0x64, bytes[2] == 0xFF, bytes[3] == 0x9B { return false }  // NAT64 of anything
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x0D, bytes[3] == 0xB8 { return false }  // documentation
        return true
    }
}
