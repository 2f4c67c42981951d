#if canImport(Glibc)
    import Glibc
#endif

/// Which addresses an attachment download may reach (SSRF): public internet addresses only,
/// unless configured otherwise. Private, loopback, link-local (the cloud metadata service
/// lives at 169.254.169.254), CGNAT, multicast and reserved ranges are refused, for IPv4 and
/// IPv6 alike.
package struct DownloadPolicy: Sendable {
    /// Allow private and loopback addresses (a Chatwoot on the same network).
    package var allowPrivateNetworks: Bool
    /// Host names allowed whatever they resolve to (`chatwoot.internal`).
    package var allowedHosts: Set<String>

    package init(allowPrivateNetworks: Bool = false, allowedHosts: Set<String> = []) {
        self.allowPrivateNetworks = allowPrivateNetworks
        self.allowedHosts = allowedHosts
    }

    /// Reads `AUDIO_DOWNLOAD_ALLOW_PRIVATE_NETWORKS` (false) and `AUDIO_DOWNLOAD_ALLOWED_HOSTS`
    /// (comma-separated host names).
    package init(environment: Environment) throws(Environment.Error) {
        self.init(
            allowPrivateNetworks: try environment.flag("AUDIO_DOWNLOAD_ALLOW_PRIVATE_NETWORKS", default: false),
            allowedHosts: Set(
                environment.get("AUDIO_DOWNLOAD_ALLOWED_HOSTS", default: "").split(separator: ",").map { $0.trimmingSpaces().lowercased() }.filter {
                    !$0.isEmpty
                }))
    }

    /// What resolving a host gave.
    package enum Resolution: Sendable, Equatable {
        /// An address we may connect to (IPv6 in brackets).
        case address(String)
        /// Nothing we may connect to, and asking again will not change that.
        case refused(String)
        /// The name could not be resolved now (`EAI_AGAIN`: the resolver timed out or failed);
        /// worth another try later.
        case unresolvedForNow
    }

    /// An address we may connect to for `host`: the first resolved one that passes.
    package func resolve(_ host: String, port: Int) -> Resolution {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        if status == EAI_AGAIN { return .unresolvedForNow }
        guard status == 0, let first = results else { return .refused("cannot resolve the host") }
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
            if isPublic || trusted { return .address(entry.pointee.ai_family == AF_INET6 ? "[\(printable)]" : printable) }
            refusal = "the host resolves to a private, loopback, link-local or reserved address"
        }
        return .refused(refusal)
    }

    /// Whether `host` is an IP address written out (IPv4 dotted, or IPv6 without brackets):
    /// nothing to resolve, so nothing to pin.
    package static func isLiteralAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    static func isPublic(ipv4 value: UInt32) -> Bool {
        let blocked: [(UInt32, UInt32)] = [
            (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16), (0xAC10_0000, 12),
            (0xC000_0000, 24), (0xC000_0200, 24), (0xC0A8_0000, 16), (0xC612_0000, 15), (0xC633_6400, 24), (0xCB00_7100, 24),
            (0xE000_0000, 4), (0xF000_0000, 4),
        ]
        return !blocked.contains { network, bits in value >> (32 - bits) == network >> (32 - bits) }
    }

    /// IPv6, and the IPv6 forms that carry an IPv4 address, judged by that IPv4 address:
    /// IPv4-compatible (`::a.b.c.d`, ::/96), IPv4-mapped (`::ffff:a.b.c.d`), IPv4-translated
    /// (`::ffff:0:a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:aabb:ccdd::/48`).
    static func isPublic(ipv6 bytes: [UInt8]) -> Bool {
        func embedded(_ from: Int) -> Bool { isPublic(ipv4: bytes[from..<(from + 4)].reduce(0) { $0 << 8 | UInt32($1) }) }
        let zeroTo = bytes.firstIndex { $0 != 0 } ?? 16
        if zeroTo >= 12 { return embedded(12) }  // ::/96 (:: and ::1 included: 0.0.0.0/8)
        if zeroTo >= 10, bytes[10] == 0xFF, bytes[11] == 0xFF { return embedded(12) }  // ::ffff:0:0/96
        if zeroTo >= 8, bytes[8] == 0xFF, bytes[9] == 0xFF, bytes[10] == 0, bytes[11] == 0 { return embedded(12) }  // ::ffff:0:0:0/96
        if bytes[0..<4] == [0x00, 0x64, 0xFF, 0x9B] {
            // 64:ff9b::/96 is the well-known NAT64 prefix; the rest of 64:ff9b::/32 (64:ff9b:1::/48,
            // local NAT64) is no public destination.
            return bytes[4..<12].allSatisfy { $0 == 0 } && embedded(12)
        }
        if bytes[0] == 0x20, bytes[1] == 0x02 { return embedded(2) }  // 6to4
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0, bytes[3] == 0 { return false }  // Teredo (2001::/32)
        if bytes[0] == 0x01, bytes[1] == 0x00, bytes[2..<8].allSatisfy({ $0 == 0 }) { return false }  // 100::/64 discard
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0xC0 { return false }  // fec0::/10 site-local (deprecated)
        if bytes[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique local (fd00:ec2::254 metadata too)
        if bytes[0] == 0xFF { return false }  // multicast
        if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] == 0x0D, bytes[3] == 0xB8 { return false }  // documentation
        if bytes[0] == 0x3F, bytes[1] == 0xFF, bytes[2] & 0xF0 == 0 { return false }  // 3fff::/20 documentation
        return true
    }
}
