import Foundation
import Shared
import Testing

/// The first five minutes: keys and users from the CLI, and a CLI that finds the local stack's
/// settings by itself.
extension CommandLineTests {
    /// `userbuckets dev …` run with nothing but PATH: the settings come from the env file.
    func dev(_ arguments: String, from folder: String? = nil) throws -> (status: Int32, output: String) {
        try stack.shell(
            (folder.map { "cd '\($0)' && " } ?? "") + #"env -i PATH="$PATH" "$UB_BIN/userbuckets" "# + arguments + " 2>&1")
    }

    @Test func devKeysAndUsersWorkAgainstTheStack() throws {
        let keys = try dev(#"dev keys --json --env-file "$UB_STATE/env""#)
        #expect(keys.status == 0, "\(keys.output)")
        let parsed = try JSONParser.parse(keys.output)
        let anon = try #require(parsed["anonKey"]?.stringValue)
        let service = try #require(parsed["serviceRoleKey"]?.stringValue)
        let client = stack.client()
        let normalized = try client.post(
            "user-bucket-service", json: #"{"action":"normalize-phone","whatsappNumber":"+55 11 98765-4321"}"#, token: anon)
        #expect(normalized.status == 200, "\(normalized.text)")
        let ensured = try client.post(
            "user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","whatsappNumber":"+55 11 98765-4321"}"#, token: service)
        #expect(ensured.status == 200, "\(ensured.text)")

        let made = try dev(#"dev user --whatsapp '+55 21 99876-5432' --json --env-file "$UB_STATE/env""#)
        #expect(made.status == 0, "\(made.output)")
        let user = try JSONParser.parse(made.output)
        let id = try #require(user["userId"]?.stringValue)
        let token = try #require(user["token"]?.stringValue)
        let own = try client.post("user-bucket-service", json: #"{"action":"identify-and-ensure-bucket","userId":"\#(id)"}"#, token: token)
        #expect(own.status == 200, "\(own.text)")
        #expect(own.json?["data"]?["userId"] == .string(id))
        let profile = try Fixtures().rows("SELECT whatsapp_number FROM profiles WHERE user_id = $1::uuid", [id])
        #expect(profile == [["+55 21 99876-5432"]])
        // The same user again (scripts/run.sh's demo user on every start): a new token, no new rows.
        let again = try dev(#"dev user --id \#(id) --json --env-file "$UB_STATE/env""#)
        #expect(again.status == 0, "\(again.output)")
        #expect(try JSONParser.parse(again.output)["userId"] == .string(id))
        #expect(try Fixtures().rows("SELECT count(*) FROM profiles WHERE user_id = $1::uuid", [id]) == [["1"]])
        // Not against a database elsewhere unless told.
        let remote = try stack.shell(#"env -i PATH="$PATH" DATABASE_URL=postgresql://u@db.example.com/x "$UB_BIN/userbuckets" dev user 2>&1"#)
        #expect(remote.status != 0)
        #expect(remote.output.contains("--allow-remote"), "\(remote.output)")
    }

    /// Run from a checkout (any folder under one) with a local stack, the CLI needs no
    /// DATABASE_URL: it reads `.local/env`.
    @Test func theCLIFindsTheLocalStacksSettings() throws {
        let checkout = NSTemporaryDirectory() + "ub-checkout-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: checkout + "/.local", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: checkout + "/deep/er", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: checkout) }
        try stack.shell(#"cp "$UB_STATE/env" '\#(checkout)/.local/env'"#)
        let listed = try dev("jobs list --json", from: checkout + "/deep/er")
        #expect(listed.status == 0, "\(listed.output)")
        #expect(!listed.output.contains("DATABASE_URL"), "\(listed.output)")
    }
}
