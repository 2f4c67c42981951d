import Shared
import Testing

@Suite struct JSONParserTests {
    @Test func parsesAndSerializesKeepingOrderAndNumbers() throws {
        let text = #"{"b":1,"a":[true,false,null],"n":12345678901234567890,"s":"x\"\u00e9\ud83d\ude00"}"#
        let value = try JSONParser.parse(text)
        #expect(value["n"] == .number("12345678901234567890"))
        #expect(value["s"]?.stringValue == "x\"é😀")
        #expect(value.serialized() == #"{"b":1,"a":[true,false,null],"n":12345678901234567890,"s":"x\"é😀"}"#)
    }

    @Test(arguments: [
        "", "{", "{\"a\":}", "[1,]", "01", "1.", "\"\\x\"", "{\"a\":1}x", "nul", "\"\u{01}\"", "\"\\ud800\"",
    ])
    func rejectsMalformed(text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xff, 0xfe, 0x22]) }
        // A truncated sequence before an escape: the escape's bytes cannot complete it.
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse([0x22, 0xC3, 0x5C, 0x6E, 0x22]) }
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(Array(#""\#u{E9}"#.utf8.prefix(2)) + Array(#"\u00a9""#.utf8)) }
    }

    @Test func decodesEscapesBetweenRawRuns() throws {
        let value = try JSONParser.parse(#""caf\u00e9 \"ok\" \\ \/ \b\f\n\r\t é \ud83d\ude00 end""#)
        #expect(value == .string("café \"ok\" \\ / \u{08}\u{0C}\n\r\t é 😀 end"))
        #expect(try JSONParser.parse(#"{"k\u0065y":"v"}"#)["key"] == .string("v"))
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect((try? JSONParser.parse(fine)) != nil)
    }

    @Test func escapesControlCharactersOnOutput() {
        #expect(JSON.string("a\u{01}\n\u{2028}").serialized() == #""a\u0001\n\u2028""#)
        // Other characters that start with byte 0xE2 pass through.
        #expect(JSON.string("€ \u{2029}\"\\\u{1F}x").serialized() == #""€ \u2029\"\\\u001fx""#)
        #expect(JSON.string("\u{E2}").serialized() == "\"\u{E2}\"")
    }
}
