import TestSupport
import Testing

@testable import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// V4 signing against Google's own conformance vectors (see the fixture's `source`).
@Suite struct V4URLSignerTests {
    let vectors = try! Fixture.json("gcs/v4_signing_vectors.json")

    @Test func matchesGooglesConformanceVectors() throws {
        let signer = V4URLSigner(
            clientEmail: vectors["clientEmail"]!.stringValue!, privateKey: try PrivateKey(pem: vectors["privateKeyPEM"]!.stringValue!))
        let tests = vectors["tests"]!.arrayValue!
        #expect(tests.count >= 15)
        for test in tests {
            let headers = (test["headers"]?.objectValue?.entries ?? []).reduce(into: [String: String]()) { $0[$1.key] = $1.value.stringValue }
            let query = (test["queryParameters"]?.objectValue?.entries ?? []).reduce(into: [String: String]()) {
                $0[$1.key] = $1.value.stringValue
            }
            let url = try signer.url(
                method: test["method"]!.stringValue!, bucket: test["bucket"]!.stringValue!, object: test["object"]?.stringValue,
                expiresIn: test["expiration"]!.stringValue.flatMap { Int($0) } ?? test["expiration"]!.intValue!,
                now: Self.unixTime(test["timestamp"]!.stringValue!),
                headers: headers, query: query)
            // Some vectors spell the signature parameter in lowercase; its value is what counts.
            let expected = test["expectedUrl"]!.stringValue!.replacing("x-goog-signature=", with: "X-Goog-Signature=")
            #expect(url == expected, "\(test["description"]!.stringValue!)")
        }
    }

    @Test func refusesExpiriesOutsideOneSecondToSevenDays() throws {
        let signer = V4URLSigner(
            clientEmail: "a@b.iam.gserviceaccount.com", privateKey: try PrivateKey(pem: vectors["privateKeyPEM"]!.stringValue!))
        #expect(throws: StorageError.self) { try signer.url(method: "GET", bucket: "b", object: "o", expiresIn: 0, now: 0) }
        #expect(throws: StorageError.self) { try signer.url(method: "GET", bucket: "b", object: "o", expiresIn: 604_801, now: 0) }
    }

    /// `2019-02-01T09:00:00Z` → Unix seconds.
    static func unixTime(_ text: String) -> Int {
        let numbers = text.split(whereSeparator: { !$0.isNumber }).map { Int32($0)! }
        var parts = tm()
        parts.tm_year = numbers[0] - 1900
        parts.tm_mon = numbers[1] - 1
        parts.tm_mday = numbers[2]
        parts.tm_hour = numbers[3]
        parts.tm_min = numbers[4]
        parts.tm_sec = numbers[5]
        return Int(timegm(&parts))
    }
}
