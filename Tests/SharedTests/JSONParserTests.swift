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
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect((try? JSONParser.parse(fine)) != nil)
    }

    @Test func escapesControlCharactersOnOutput() {
        #expect(JSON.string("a\u{01}\n\u{2028}").serialized() == #""a\u0001\n\u2028""#)
    }
}
