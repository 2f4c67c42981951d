import Shared
import Testing

/// The flat reader agrees with the full parser wherever it answers, and hands everything else
/// back to it.
@Suite struct FlatStringObjectTests {
    static let keys: [StaticString] = ["action", "whatsappNumber", "contactId", "userId"]

    /// What the full parser finds for the keys, when the body is an object of those keys only.
    func parsed(_ body: [UInt8]) -> [String?]? {
        guard case .object(let object)? = try? JSONParser.parse(body) else { return nil }
        guard object.entries.allSatisfy({ entry in Self.keys.contains { $0.description == entry.key } }) else { return nil }
        return Self.keys.map { object[$0.description]?.stringValue }
    }

    @Test(arguments: [
        #"{"action":"identify-and-ensure-bucket","whatsappNumber":"+55 (11) 98765-4321"}"#,
        "  { \"action\" : \"x\" ,\"userId\":\"123e4567-e89b-12d3-a456-426614174000\"\t}  ", "{}", " {\n}\r\n", #"{"contactId":""}"#,
        #"{"action":"identify-and-ensure-bucket","whatsappNumber":"55119@s.whatsapp.net","contactId":"contact_1_account_2"}"#,
    ])
    func flatBodiesReadAsTheParserReadsThem(_ text: String) throws {
        let body = Array(text.utf8)
        let read = try #require(FlatStringObject.read(body, keys: Self.keys))
        #expect((0..<4).map { read[$0] } == parsed(body))
    }

    @Test(arguments: [
        "", " ", "[]", "null", #""action""#, #"{"action":"a""#, #"{"action":"a",}"#, #"{"action":"a"} x"#, #"{"action":"a"}{}"#,
        #"{"action":"a","action":"b"}"#, #"{"other":"a"}"#, #"{"action":null}"#, #"{"action":1}"#, #"{"action":{"a":"b"}}"#,
        #"{"action":"a\"b"}"#, #"{"action":"a\u0041"}"#, #"{"action":"é"}"#, "{\"action\":\"a\tb\"}", #"{action:"a"}"#,
        #"{"action" "a"}"#, #"{"action":"a" "userId":"b"}"#, "{\"action\":\"\(String(repeating: "x", count: 300))\"}",
    ])
    func anythingElseIsLeftToTheParser(_ text: String) {
        #expect(FlatStringObject.read(Array(text.utf8), keys: Self.keys) == nil)
    }

    /// Random bodies built from the pieces that matter: whenever the reader answers, the
    /// parser agrees.
    @Test func randomBodiesNeverDisagree() {
        let pieces = ["{", "}", "\"", ":", ",", " ", "\n", "action", "userId", "contactId", "whatsappNumber", "x", "1", "\\", "null", "é", "{}"]
        var generator = SystemRandomNumberGenerator()
        var answered = 0
        for _ in 0..<20_000 {
            var text = ""
            if Bool.random(using: &generator) {
                // Mostly well-formed, with one piece changed.
                let fields = Self.keys.shuffled(using: &generator).prefix(Int.random(in: 0...4, using: &generator))
                text = "{" + fields.map { "\"\($0)\":\"v\(Int.random(in: 0...9, using: &generator))\"" }.joined(separator: ",") + "}"
                if Bool.random(using: &generator), !text.isEmpty {
                    var characters = Array(text)
                    characters[Int.random(in: 0..<characters.count, using: &generator)] = Character(
                        pieces.randomElement(using: &generator)!.prefix(1).description)
                    text = String(characters)
                }
            } else {
                text = (0..<Int.random(in: 1...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            }
            let body = Array(text.utf8)
            guard let read = FlatStringObject.read(body, keys: Self.keys) else { continue }
            answered += 1
            #expect((0..<4).map { read[$0] } == parsed(body), "\(text)")
        }
        #expect(answered > 1000)
    }
}
