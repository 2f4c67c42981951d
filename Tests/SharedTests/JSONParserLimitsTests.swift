import Testing

@testable import Shared

/// Hostile JSON costs linear time and bounded memory: limits answer first, and within them an
/// object's duplicate keys are found through an index, not a scan per key.
@Suite struct JSONParserLimitsTests {
    func object(keys: Int, duplicateEvery: Int? = nil) -> [UInt8] {
        var text = "{"
        for key in 0..<keys {
            if key > 0 { text += "," }
            text += "\"k\(duplicateEvery.map { key % $0 } ?? key)\":\(key)"
        }
        return Array((text + "}").utf8)
    }

    func isLimit(_ body: () throws(JSONParser.Error) -> JSON) -> Bool {
        do {
            _ = try body()
            return false
        } catch {
            return error.isLimit
        }
    }

    @Test func eachLimitIsALimitNotMalformedJSON() {
        #expect(isLimit { () throws(JSONParser.Error) in try JSONParser.parse(object(keys: 1_001)) })
        #expect(!isLimit { () throws(JSONParser.Error) in try JSONParser.parse(object(keys: 1_000)) })
        #expect(
            isLimit { () throws(JSONParser.Error) in try JSONParser.parse("[" + Array(repeating: "0", count: 10_001).joined(separator: ",") + "]") })
        #expect(
            isLimit { () throws(JSONParser.Error) in
                try JSONParser.parse("[" + Array(repeating: "[0,0,0,0,0,0,0,0,0]", count: 10_001).joined(separator: ",") + "]")
            })
        #expect(isLimit { () throws(JSONParser.Error) in try JSONParser.parse("\"" + String(repeating: "a", count: (1 << 20) + 1) + "\"") })
        #expect(isLimit { () throws(JSONParser.Error) in try JSONParser.parse("\"" + String(repeating: "\\n", count: (1 << 19) + 1) + "\"") })
        #expect(!isLimit { () throws(JSONParser.Error) in try JSONParser.parse("[1,") })
    }

    /// 300,000 keys: a scan per key would be 4.5 × 10¹⁰ comparisons (minutes); the index makes it
    /// linear. Duplicates still resolve to the last value, past the first handful of keys too.
    @Test(.timeLimit(.minutes(1))) func largeObjectsParseInLinearTime() throws {
        let limits = JSONParser.Limits(maxDepth: 8, maxKeysPerObject: 400_000, maxValues: 400_000)
        let value = try JSONParser.parse(object(keys: 300_000), limits: limits)
        #expect(value.objectValue?.entries.count == 300_000)
        #expect(value["k299999"] == .integer(299_999))
        let duplicated = try JSONParser.parse(object(keys: 50_000, duplicateEvery: 20), limits: limits)
        #expect(duplicated.objectValue?.entries.count == 20)
        #expect(duplicated["k3"] == .integer(49_983))
        #expect(duplicated.objectValue?.entries.map(\.key) == (0..<20).map { "k\($0)" })
        #expect(try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#).objectValue?.entries.map(\.key) == ["a", "b"])
        #expect(try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)["a"] == .integer(3))
    }

    @Test func longStringsCanBeLeftInTheBody() throws {
        let base64 = String(repeating: "QUJD", count: 30_000)
        let body = Array(#"{"action":"upload","file":{"name":"a.txt","content":"\#(base64)"},"list":["\#(base64)", "short"]}"#.utf8)
        let (tree, long) = try JSONParser.parseDeferringLongStrings(body, limits: JSONParser.Limits(maxDepth: 8, deferStringsLongerThan: 1_000))
        #expect(tree["file"]?["name"] == .string("a.txt"))
        #expect(tree["file"]?["content"] == .null)
        #expect(tree["list"]?.arrayValue?.last == .string("short"))
        #expect(Set(long.keys) == [["file", "content"], ["list", "[0]"]])
        let range = try #require(long[["file", "content"]])
        #expect(String(decoding: body[range], as: UTF8.self) == base64)
        #expect(throws: JSONParser.Error.self) {
            try JSONParser.parseDeferringLongStrings(
                Array(("\"" + base64).utf8), limits: JSONParser.Limits(maxDepth: 8, deferStringsLongerThan: 1_000))
        }
    }
}
