import Foundation
import Shared
import TestSupport
import Testing

/// Stored numbers in any shape are found by a number in any other: PostgreSQL's
/// `userbuckets_phone_key` (migration 0006) agrees with `PhoneNumber.lookupKey` on every input
/// the normalizer reads, and identification finds profiles across shapes, through nginx and the
/// CLI.
@Suite(.onTheStack, .serialized)
struct PhoneKeyTests {
    let client = Stack.shared.client()
    let fixtures = Fixtures()
    let normalizer = PhoneNormalizer(defaultRegion: "BR")

    @Test func theDatabaseKeysEveryShapeAsTheServiceDoes() throws {
        let cases = try PhoneCase.generate(seed: 31, numbersPerKind: 60)
        let read = cases.compactMap { item in normalizer.normalize(item.input).map { (item.input, $0.lookupKey) } }
        #expect(read.count > 8_000)
        let literal = "{" + read.map { "\"" + $0.0.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
        let rows = try fixtures.rows(
            "SELECT public.userbuckets_phone_key(raw) FROM unnest($1::text[]) WITH ORDINALITY AS t(raw, n) ORDER BY n", [literal])
        #expect(rows.count == read.count)
        var wrong: [String] = []
        for ((input, key), row) in zip(read, rows) where row[0] != key {
            wrong.append("\(input.debugDescription): database \(row[0] ?? "nil"), service \(key)")
        }
        #expect(wrong.count == 0, "\(wrong.count) differ, e.g.\n\(wrong.prefix(20).joined(separator: "\n"))")
    }

    /// Each number stored in a profile in one shape, looked up in another (the other 9th-digit
    /// form where there is one, pasted text, carrier codes, `0xx`, JIDs).
    @Test func aProfileInOneShapeIsFoundByANumberInAnother() throws {
        let cases = try PhoneCase.generate(seed: Int.random(in: 1...1_000_000), numbersPerKind: 8)
        let byNumber = Dictionary(grouping: cases.filter { $0.e164?.hasPrefix("+55") == true }, by: { $0.e164! })
        var checked = 0
        for (e164, shapes) in byNumber {
            var random = SystemRandomNumberGenerator()
            let stored = shapes.randomElement(using: &random)!
            var queried = shapes.filter { $0.input != stored.input }.randomElement(using: &random)!.input
            if let other = stored.variants.last, other != e164, Bool.random() {
                queried = other.dropFirst() + "@s.whatsapp.net"  // the WhatsApp id of the other form
            }
            let user = try fixtures.user(whatsapp: Bool.random() ? stored.input : nil, phone: stored.input)
            let json = JSON.object(["action": .string("identify-and-ensure-bucket"), "whatsappNumber": .string(queried)]).serialized()
            let answer = try client.post("user-bucket-service", json: json, token: Tokens.serviceRole)
            #expect(answer.status == 200)
            #expect(
                answer.json?["data"]?["userId"]?.stringValue == user, "stored \(stored.input.debugDescription), queried \(queried.debugDescription)")
            #expect(answer.json?["data"]?["normalizedNumber"]?.stringValue == e164)
            checked += 1
        }
        #expect(checked > 15)
    }

    @Test func theCommandLineFindsALegacyProfileByItsNineDigitForm() throws {
        let subscriber = String(Int.random(in: 60_000_000...89_999_999))
        let user = try fixtures.user(whatsapp: "(0xx41) \(subscriber.prefix(4))\u{2013}\(subscriber.suffix(4))")
        let found = try Stack.shared.shell("\"$UB_BIN/userbuckets\" identify '+55 41 9\(subscriber)'")
        #expect(found.status == 0, "\(found.output)")
        let json = try JSONParser.parse(found.output)
        #expect(json["userId"]?.stringValue == user)
        #expect(json["normalizedNumber"]?.stringValue == "+55419\(subscriber)")
    }
}
