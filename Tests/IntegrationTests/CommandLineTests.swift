import Foundation
import Shared
import Testing

/// The `userbuckets` operator CLI, run as a real process.
@Suite(.onTheStack, .serialized)
struct CommandLineTests {
    let stack = Stack.shared

    @Test func normalizeWritesOneJSONObjectPerLine() throws {
        let input = "+55 (11) 98765-4321\n554188776655\nnot a number\n120363@g.us\n"
        let result = try stack.shell("\"$UB_BIN/userbuckets\" normalize", stdin: input)
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(
            lines[0] == #"{"input":"+55 (11) 98765-4321","normalizedNumber":"+5511987654321","variants":["+5511987654321","+551187654321"]}"#)
        #expect(lines[1] == #"{"input":"554188776655","normalizedNumber":"+5541988776655","variants":["+5541988776655","+554188776655"]}"#)
        #expect(lines[2] == #"{"input":"not a number","normalizedNumber":null,"variants":[]}"#)
        #expect(lines[3] == #"{"input":"120363@g.us","normalizedNumber":null,"variants":[]}"#)
    }

    @Test func identifyFindsTheUserAndTheirBucket() throws {
        let number = Fixtures.randomMobile()
        let user = try Fixtures().user(whatsapp: number)
        // The CLI verifies no tokens, so it needs no JWT settings.
        let found = try stack.shell("env -u SUPABASE_JWT_SECRET \"$UB_BIN/userbuckets\" identify '\(number)'")
        #expect(found.status == 0)
        let json = try JSONParser.parse(found.output.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(json["userId"]?.stringValue == user)
        #expect(json["outcome"]?.stringValue == "profile_whatsapp")
        #expect(json["bucketName"]?.stringValue?.hasPrefix(stack.prefix + "-user-") == true)
        let unknown = try stack.shell("\"$UB_BIN/userbuckets\" identify '\(Fixtures.randomMobile())'")
        #expect(unknown.status == 2)
        let junk = try stack.shell("\"$UB_BIN/userbuckets\" identify 'hello'")
        #expect(junk.status == 1)
    }

    @Test func migrateIsIdempotentAndHelpIsThere() throws {
        let migrate = try stack.shell("\"$UB_BIN/userbuckets\" migrate --directory \"$UB_ROOT/db/migrations\"")
        #expect(migrate.status == 0)
        #expect(migrate.output.contains(#"{"applied":[]}"#))
        let help = try stack.shell("\"$UB_BIN/userbuckets\" --help")
        #expect(help.output.contains("normalize") && help.output.contains("identify") && help.output.contains("migrate"))
    }
}
