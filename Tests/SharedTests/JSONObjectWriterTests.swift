import Shared
import Testing

/// The hot path's writer writes what `JSON` serializes, byte for byte (both escape through
/// `JSON.escapeContent`), and what it writes parses back to what was written.
@Suite struct JSONObjectWriterTests {
    static let samples: [String] = [
        "", "plain", "+5511987654321", "quote \" and backslash \\", "line\nbreak\r\ttab", "\u{01}\u{1F}\u{7F}",
        "é ü 日本 🙂", "sep\u{2028}and\u{2029}", "\u{3028}\u{3029} and \u{E2}\u{80}\u{A8}x", "12345678\u{2028}12345678\"12345678", "\u{E2}\u{80}",
        String(repeating: "long ", count: 400),
        String(repeating: "\"", count: 300),
    ]

    @Test(arguments: samples) func aStringIsWrittenAsJSONWritesIt(_ text: String) {
        var writer = JSONObjectWriter(capacity: 16)
        writer.string("a", text)
        writer.value("b", .string(text))
        writer.string("c", prefix: "user_", text)
        let tree = JSON.object(["a": .string(text), "b": .string(text), "c": .string("user_" + text)])
        let bytes = writer.finish()
        #expect(bytes == tree.serializedBytes())
        #expect((try? JSONParser.parse(bytes)) == tree)
    }

    @Test func escapesAreTheOnesJavaScriptNeeds() {
        var writer = JSONObjectWriter()
        writer.string("s", "a\u{01}\n\"\\\u{2028}\u{2029}\u{3028}é")
        #expect(String(decoding: writer.finish(), as: UTF8.self) == #"{"s":"a\u0001\n\"\\\u2028\u2029\#u{3028}é"}"#)
    }

    @Test func nestedObjectsNullsBoolsAndValuesMatchTheTree() {
        var writer = JSONObjectWriter(capacity: 16)
        writer.bool("success", true)
        writer.beginObject("data")
        writer.string("userId", nil)
        writer.string("bucketName", "pacelane-whatsapp-user-abc")
        writer.bool("isNewBucket", false)
        writer.beginObject("inner")
        writer.endObject()
        writer.value("n", .integer(42))
        writer.value("list", .array([.string("x"), .null, .bool(true)]))
        let bytes = writer.finish()  // closes "data"
        let expected = JSON.object([
            "success": .bool(true),
            "data": .object([
                "userId": .null, "bucketName": .string("pacelane-whatsapp-user-abc"), "isNewBucket": .bool(false), "inner": .object([:]),
                "n": .integer(42), "list": .array([.string("x"), .null, .bool(true)]),
            ]),
        ]).serializedBytes()
        #expect(bytes == expected)
    }
}
