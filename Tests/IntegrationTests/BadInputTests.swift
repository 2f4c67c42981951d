import Foundation
import Shared
import Testing

/// Malformed, oversized, hostile and unauthenticated requests get a clear JSON answer.
@Suite(.onTheStack, .serialized)
struct BadInputTests {
    let client = Stack.shared.client()
    let fixtures = Fixtures()
    let function = "user-bucket-service"

    func post(_ body: String, token: String? = Tokens.serviceRole) throws -> HTTPTestClient.Result {
        try client.post(function, json: body, token: token)
    }

    @Test(arguments: [
        ("{", "not valid JSON"),
        ("", "empty"),
        ("[1,2]", "must be a JSON object"),
        (#"{"action":"identify-and-ensure-bucket","whatsappNumber":5511987654321}"#, "whatsappNumber must be a string"),
        (#"{"action":"identify-and-ensure-bucket","userId":{"$gt":""}}"#, "userId must be a string"),
        (#"{"action":"identify-and-ensure-bucket","userId":"1; DROP TABLE profiles"}"#, "userId must be a UUID"),
        (#"{"action":"identify-and-ensure-bucket"}"#, "Provide userId, whatsappNumber or contactId"),
        (#"{"action":"identify-and-ensure-bucket","whatsappNumber":"hello"}"#, "not a phone number"),
        (#"{"action":"normalize-phone"}"#, "whatsappNumber is required"),
        (#"{"action":"list-buckets","limit":100000}"#, "limit must be between"),
    ])
    func malformedBodiesAre400WithAReason(body: String, reason: String) throws {
        let result = try post(body)
        #expect(result.status == 400)
        #expect(result.json?["success"] == .bool(false))
        #expect(result.json?["error"]?.stringValue?.contains(reason) == true, "\(result.text)")
        #expect(result.header("content-type") == "application/json")
    }

    @Test func unknownOrMissingActionIsTheOriginal400() throws {
        for body in [#"{"action":"drop-everything"}"#, #"{"userId":"x"}"#, #"{"action":7}"#] {
            let result = try post(body)
            #expect(result.status == 400)
            #expect(result.text == #"{"error":"Invalid action"}"#)
        }
    }

    @Test func hostileJSONIsRefusedCleanly() throws {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(try post(deep).status == 400)
        let invalidUTF8 = Array(#"{"action":"normalize-phone","whatsappNumber":""#.utf8) + [0xff, 0xfe] + Array(#""}"#.utf8)
        let result = try client.send(
            "POST", "/functions/v1/\(function)",
            headers: ["Authorization": "Bearer \(Tokens.serviceRole)", "Content-Type": "application/json"], body: invalidUTF8)
        #expect(result.status == 400)
        #expect(result.text.contains("UTF-8"))
    }

    @Test func oversizedBodiesAre413JSON() throws {
        // Over the app's cap (64 KiB here), under nginx's: the worker answers.
        let padding = String(repeating: "x", count: 100_000)
        let app = try post(#"{"action":"normalize-phone","whatsappNumber":"1","pad":"\#(padding)"}"#)
        #expect(app.status == 413)
        #expect(app.json?["success"] == .bool(false))
        // Over nginx's 1 MiB: nginx answers, still JSON.
        let huge = try post(#"{"pad":""# + String(repeating: "x", count: 2_000_000) + #""}"#)
        #expect(huge.status == 413)
        #expect(huge.json?["error"]?.stringValue == "Request body too large")
    }

    @Test func methodsAndPreflight() throws {
        let get = try client.send("GET", "/functions/v1/\(function)")
        #expect(get.status == 405)
        #expect(get.text == #"{"error":"Method not allowed"}"#)
        let options = try client.send("OPTIONS", "/functions/v1/\(function)", headers: ["Origin": "https://app.example"])
        #expect(options.status == 200)
        #expect(options.text == "ok")
        #expect(options.header("access-control-allow-methods") == "POST, OPTIONS")
        #expect(options.header("access-control-allow-headers")?.contains("x-retry-count") == true)
        let unknownPath = try client.send("POST", "/functions/v1/nope")
        #expect(unknownPath.status == 404)
    }

    @Test func everyAuthNegative() throws {
        let body = #"{"action":"identify-and-ensure-bucket","whatsappNumber":"+5511987654321"}"#
        let missing = try post(body, token: nil)
        #expect(missing.status == 401)
        #expect(missing.text == #"{"code":401,"message":"Missing authorization header"}"#)
        let invalid: [String] = [
            "not-a-jwt",
            Tokens.sign(#"{"role":"service_role","exp":4102444800}"#, secret: "the-wrong-secret-the-wrong-secret-123"),
            Tokens.sign(#"{"role":"service_role","exp":1000}"#),
            Tokens.sign(#"{"role":"service_role","exp":4102444800}"#, alg: "none"),
            Tokens.sign(#"{"role":"superuser","exp":4102444800}"#),
            Tokens.sign(#"{"role":"authenticated","sub":"4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90","aud":"other","exp":4102444800}"#),
        ]
        for token in invalid {
            let result = try post(body, token: token)
            #expect(result.status == 401)
            #expect(result.text == #"{"code":401,"message":"Invalid JWT"}"#)
        }
        let basic = try client.send(
            "POST", "/functions/v1/\(function)", headers: ["Authorization": "Basic dXNlcjpwYXNz"], body: Array(body.utf8))
        #expect(basic.status == 401)
        // anon may not identify anyone; a user may not look up numbers or act for others.
        #expect(try post(body, token: Tokens.anon).status == 401)
        let user = try fixtures.user()
        #expect(try post(body, token: Tokens.user(user)).status == 403)
        let other = try fixtures.user()
        let forOther = try post(#"{"action":"identify-and-ensure-bucket","userId":"\#(other)"}"#, token: Tokens.user(user))
        #expect(forOther.status == 403)
    }

    @Test func unknownUserIs404() throws {
        let result = try post(#"{"action":"identify-and-ensure-bucket","userId":"\#(UUID().uuidString)"}"#)
        #expect(result.status == 404)
        #expect(result.json?["error"]?.stringValue == "User not found")
    }

    @Test func requestIDsAreHonouredOnlyWhenSane() throws {
        let sane = try client.post(
            function, json: #"{"action":"normalize-phone","whatsappNumber":"1"}"#, token: Tokens.anon, headers: ["X-Request-Id": "abc-123"])
        #expect(sane.header("x-request-id") == "abc-123")
        let insane = try client.post(
            function, json: #"{"action":"normalize-phone","whatsappNumber":"1"}"#, token: Tokens.anon,
            headers: ["X-Request-Id": "bad id <script>"])
        #expect(insane.header("x-request-id") != nil)
        #expect(insane.header("x-request-id")?.contains("<") == false)
    }

    @Test func logsCarryNoPhoneNumberOrToken() throws {
        let number = "+55119" + String(Int.random(in: 60_000_000...99_999_999))
        let token = Tokens.serviceRole
        _ = try post(#"{"action":"identify-and-ensure-bucket","whatsappNumber":"\#(number)"}"#, token: token)
        _ = try post(#"{"action":"identify-and-ensure-bucket","whatsappNumber":"\#(number)","contactId":"x"}"#, token: "broken")
        let log = try String(contentsOfFile: Stack.shared.state + "/log/user-bucket-service.log", encoding: .utf8)
        #expect(!log.contains(String(number.dropFirst())))
        #expect(!log.contains(String(number.suffix(8))))
        #expect(!log.contains(token))
        #expect(!log.contains(Stack.shared.jwtSecret))
    }
}
