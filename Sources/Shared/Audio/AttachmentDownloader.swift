/// Downloads a Chatwoot attachment (`data_url`) safely: http(s) only, every hop's address
/// checked against a `DownloadPolicy` and pinned for the connection (no DNS rebinding), at most
/// a few redirects, a size cap, timeouts, no credentials sent, and quick retries of the early
/// 404 Chatwoot gives while it is still uploading the blob.
package final class AttachmentDownloader {
    package struct File: Sendable {
        package let bytes: [UInt8]
        package let contentType: String?
        /// The last path segment of the first URL (Chatwoot names the blob there).
        package let fileName: String?
    }

    package enum Failure: Error, Sendable, CustomStringConvertible {
        /// Never worth retrying: a refused scheme or address, too large, too many redirects.
        case refused(String)
        /// Not there (yet): Chatwoot's early 404, or gone.
        case notFound
        /// The host failed or could not be reached; may work later.
        case unavailable(String)

        package var description: String {
            switch self {
            case .refused(let reason): "download refused: \(reason)"
            case .notFound: "attachment not found (404)"
            case .unavailable(let reason): "download failed: \(reason)"
            }
        }
    }

    private let client: any HTTPClient
    private let policy: DownloadPolicy
    package let maxBytes: Int
    private let maxRedirects: Int
    private let timeoutMs: Int
    /// Waits before retrying a 404, in milliseconds.
    private let notFoundBackoffMs: [Int]
    /// For `http:///…` URLs (no host), as the original: `CHATWOOT_BASE_URL`.
    private let chatwootBaseURL: String?

    package init(
        client: any HTTPClient, policy: DownloadPolicy, maxBytes: Int = 25 << 20, maxRedirects: Int = 5, timeoutMs: Int = 60_000,
        notFoundBackoffMs: [Int] = [500, 1000, 2000, 4000], chatwootBaseURL: String? = nil
    ) {
        self.client = client
        self.policy = policy
        self.maxBytes = maxBytes
        self.maxRedirects = maxRedirects
        self.timeoutMs = timeoutMs
        self.notFoundBackoffMs = notFoundBackoffMs
        self.chatwootBaseURL = chatwootBaseURL
    }

    package func download(_ url: String) throws(Failure) -> File {
        var waits = notFoundBackoffMs[...]
        while true {
            do {
                return try downloadOnce(url)
            } catch .notFound {
                guard let wait = waits.popFirst() else { throw .notFound }
                RetryPolicy.sleep(milliseconds: wait)
            }
        }
    }

    private func downloadOnce(_ original: String) throws(Failure) -> File {
        var url = original
        if url.hasPrefix("http:///") || url.hasPrefix("https:///"), let base = chatwootBaseURL {
            url = base + "/" + url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(3).joined()
        }
        let fileName = Self.fileName(of: url)
        for _ in 0...maxRedirects {
            guard let target = ParsedURL(url) else { throw .refused("only http and https URLs with a host are fetched") }
            let address: String
            switch policy.resolve(target.host, port: target.port) {
            case .address(let allowed): address = allowed
            case .refused(let reason): throw .refused(reason)
            case .unresolvedForNow: throw .unavailable("the host's name could not be resolved now")
            }
            // A name is pinned to the address just checked (no second lookup, no DNS rebinding); an
            // address written in the URL is what curl connects to, nothing to pin (and curl 7.88
            // cannot parse a pin for a bracketed IPv6 host).
            let pin = DownloadPolicy.isLiteralAddress(target.host) ? nil : "\(target.host):\(target.port):\(address)"
            let response: HTTPClientResponse
            do {
                response = try client.send(
                    HTTPClientRequest(
                        url: url, headers: [("Accept", "*/*")], timeoutMs: timeoutMs, maxResponseBytes: maxBytes, pinnedAddress: pin,
                        direct: true), download: nil)
            } catch {
                if error.code == .tooLarge { throw .refused("larger than \(maxBytes) bytes") }
                if error.code == .invalidURL { throw .refused(error.detail) }
                throw .unavailable(error.detail)
            }
            switch response.status {
            case 200:
                return File(bytes: response.body, contentType: response.headers["content-type"], fileName: fileName)
            case 301, 302, 303, 307, 308:
                guard let location = response.headers["location"] else { throw .unavailable("redirect without Location") }
                url = target.resolve(location)
            case 404, 410:
                throw .notFound
            case 400..<500 where response.status != 408 && response.status != 429:
                throw .refused("the attachment host answered \(response.status)")
            default:
                throw .unavailable("the attachment host answered \(response.status)")
            }
        }
        throw .refused("more than \(maxRedirects) redirects")
    }

    /// `audio_2026-05-22.oga` from `https://host/rails/…/audio_2026-05-22.oga?x=1`.
    static func fileName(of url: String) -> String? {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        guard let last = path.split(separator: "/").last, last.contains(".") || !last.isEmpty else { return nil }
        return String(last)
    }
}

/// The parts of an http(s) URL a download needs; no userinfo accepted.
struct ParsedURL {
    let scheme: String
    let host: String
    let port: Int
    let origin: String

    init?(_ url: String) {
        let lower = url.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" } else { return nil }
        let rest = url.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = String(authority)
        var port = scheme == "https" ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { return nil }
                port = value
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]) else { return nil }
            port = value
            host = String(host[..<colon])
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = port
        self.origin = scheme + "://" + authority
    }

    /// A `Location` against this URL: absolute, or a path on the same origin.
    func resolve(_ location: String) -> String {
        if location.lowercased().hasPrefix("http://") || location.lowercased().hasPrefix("https://") { return location }
        if location.hasPrefix("//") { return scheme + ":" + location }
        return origin + (location.hasPrefix("/") ? location : "/" + location)
    }
}
