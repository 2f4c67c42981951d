#if canImport(Glibc)
    import Glibc
#endif

/// V4 signed URLs (`GOOG4-RSA-SHA256`): a link anyone can open until it expires, signed with
/// the service account's key, so a browser downloads straight from GCS.
///
/// Follows https://cloud.google.com/storage/docs/access-control/signing-urls-manually and is
/// checked against Google's conformance vectors.
package struct V4URLSigner: Sendable {
    package let clientEmail: String
    package let privateKey: PrivateKey

    package init(clientEmail: String, privateKey: PrivateKey) {
        self.clientEmail = clientEmail
        self.privateKey = privateKey
    }

    /// A signed URL for `method` on `bucket`/`object` (nil object: the bucket itself), valid
    /// for `expiresIn` seconds (1 to 604800) from `now` (Unix seconds). `headers` must then be
    /// sent with the request; `query` parameters are signed into the URL.
    package func url(
        method: String, bucket: String, object: String?, expiresIn: Int, now: Int, host: String = "storage.googleapis.com",
        scheme: String = "https", headers: [String: String] = [:], query: [String: String] = [:]
    ) throws(StorageError) -> String {
        guard (1...604_800).contains(expiresIn) else { throw StorageError(.rejected, "a signed URL lasts 1 s to 7 days") }
        let (date, dateTime) = Self.timestamps(now)
        let scope = "\(date)/auto/storage/goog4_request"

        var canonicalHeaders: [String: String] = ["host": host]
        for (name, value) in headers {
            canonicalHeaders[name.lowercased()] = Self.collapsingWhitespace(value)
        }
        let headerNames = canonicalHeaders.keys.sorted()
        let signedHeaders = headerNames.joined(separator: ";")

        var parameters = query
        parameters["X-Goog-Algorithm"] = "GOOG4-RSA-SHA256"
        parameters["X-Goog-Credential"] = "\(clientEmail)/\(scope)"
        parameters["X-Goog-Date"] = dateTime
        parameters["X-Goog-Expires"] = String(expiresIn)
        parameters["X-Goog-SignedHeaders"] = signedHeaders
        let canonicalQuery = parameters.map { (ObjectName.percentEncode($0.key), ObjectName.percentEncode($0.value)) }
            .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")

        let path = "/" + bucket + (object.map { "/" + ObjectName.percentEncode($0, keepingSlashes: true) } ?? "")
        let payload = canonicalHeaders["x-goog-content-sha256"] ?? "UNSIGNED-PAYLOAD"
        let canonicalRequest = [
            method, path, canonicalQuery, headerNames.map { "\($0):\(canonicalHeaders[$0]!)\n" }.joined(), signedHeaders, payload,
        ].joined(separator: "\n")
        let stringToSign = [
            "GOOG4-RSA-SHA256", dateTime, scope, Digest.hex(Digest.sha256(Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let signature: [UInt8]
        do {
            signature = try privateKey.signRS256(Array(stringToSign.utf8))
        } catch {
            throw StorageError(.unauthorized, "signing a URL failed: \(error)")
        }
        return "\(scheme)://\(host)\(path)?\(canonicalQuery)&X-Goog-Signature=\(Digest.hex(signature))"
    }

    /// `20190201` and `20190201T090000Z` for a Unix time.
    static func timestamps(_ now: Int) -> (date: String, dateTime: String) {
        var seconds = time_t(now)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let date = "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
        return (date, "\(date)T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z")
    }

    /// Trims a header value and turns each run of spaces and tabs inside into one space.
    static func collapsingWhitespace(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
