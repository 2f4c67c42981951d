import Foundation
import Shared
import Testing

/// `create-user-bucket`: the legacy contract, for real this time.
@Suite(.onTheStack, .serialized)
struct CreateUserBucketTests {
    let client = Stack.shared.client()
    let fixtures = Fixtures()

    @Test func aUserCreatesTheirBucketThenFindsIt() throws {
        let user = try fixtures.user()
        let first = try client.post("create-user-bucket", json: "{}", token: Tokens.user(user))
        #expect(first.status == 200)
        let name = try BucketNaming(prefix: Stack.shared.prefix).legacyUserBucket(user).value
        #expect(first.text == #"{"success":true,"bucketName":"\#(name)","message":"Bucket created and mapping stored"}"#)
        let second = try client.post("create-user-bucket", json: #"{"userId":"\#(user)"}"#, token: Tokens.user(user))
        #expect(second.text == #"{"success":true,"bucketName":"\#(name)","message":"Bucket already exists, mapping stored"}"#)
        let rows = try fixtures.rows("SELECT bucket_name FROM user_bucket_mapping WHERE user_id = $1::uuid", [user])
        #expect(rows.map { $0[0] } == [name])
    }

    @Test func theLegacyErrors() throws {
        let user = try fixtures.user()
        let other = try fixtures.user()
        let missing = try client.post("create-user-bucket", json: "{}", token: Tokens.serviceRole)
        #expect(missing.status == 400)
        #expect(missing.text == #"{"error":"Missing userId in request body"}"#)
        #expect(try client.post("create-user-bucket", json: #"{"userId":"\#(other)"}"#, token: Tokens.user(user)).status == 403)
        #expect(try client.post("create-user-bucket", json: #"{"userId":"\#(user)"}"#).status == 401)
        #expect(try client.post("create-user-bucket", json: #"{"userId":"\#(user)"}"#, token: Tokens.anon).status == 401)
        #expect(try client.post("create-user-bucket", json: #"{"userId":"nope"}"#, token: Tokens.serviceRole).status == 400)
        #expect(try client.post("create-user-bucket", json: "{nope", token: Tokens.serviceRole).status == 400)
        let get = try client.send("GET", "/functions/v1/create-user-bucket")
        #expect(get.status == 405)
        #expect(get.text == #"{"error":"Method not allowed"}"#)
        let options = try client.send("OPTIONS", "/functions/v1/create-user-bucket")
        #expect(options.status == 200)
        #expect(options.header("access-control-allow-methods") == "POST, OPTIONS")
    }
}
