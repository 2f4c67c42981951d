import Shared
import Testing

@testable import UserBucketService

/// `user-bucket-service` in process: the pipeline's answers and the key-presence rules.
@Suite struct UserBucketServiceHandlerTests {
    let spec = FunctionSpec(name: "user-bucket-service", methods: ["POST", "OPTIONS"], maxBodyBytes: 64 << 10)

    @Test func thePipelineAnswersMethodsPreflightsAndBadActionsAsTheOriginal() throws {
        let run = try InProcess()
        let responder = run.responder(spec, UserBucketServiceHandler(core: run.core))
        let get = responder.respond(to: Request(method: "GET", path: "/functions/v1/user-bucket-service"), readFailure: nil)
        #expect(get.status == .methodNotAllowed)
        #expect(get.text == #"{"error":"Method not allowed"}"#)
        #expect(get.header("Access-Control-Allow-Origin") == "*")
        #expect(get.header("X-Request-Id") != nil)
        let preflight = responder.respond(to: Request(method: "OPTIONS", path: "/functions/v1/user-bucket-service"), readFailure: nil)
        #expect(preflight.status == .ok)
        #expect(preflight.text == "ok")
        #expect(preflight.header("Access-Control-Allow-Methods") == "POST, OPTIONS")
        let invalid = responder.respond(
            to: InProcess.post("user-bucket-service", #"{"action":"nope"}"#, token: InProcess.serviceRole), readFailure: nil)
        #expect(invalid.status == .badRequest)
        #expect(invalid.text == #"{"error":"Invalid action"}"#)
        let tooLarge = responder.respond(
            to: InProcess.post("user-bucket-service", "{}"), readFailure: ServiceError(.payloadTooLarge, "Request body is larger than 65536 bytes"))
        #expect(tooLarge.status == .payloadTooLarge)
        #expect(tooLarge.json?["success"] == .bool(false))
        let unauthenticated = responder.respond(to: InProcess.post("user-bucket-service", #"{"action":"normalize-phone"}"#), readFailure: nil)
        #expect(unauthenticated.status == .unauthorized)
        #expect(unauthenticated.text == #"{"code":401,"message":"Missing authorization header"}"#)
    }

    @Test func keysArePresentAsTheOriginalHasThem() throws {
        let run = try InProcess()
        let user = UserID("4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90")!
        run.directory.addUser(user)
        let responder = run.responder(spec, UserBucketServiceHandler(core: run.core))
        let plain = responder.respond(
            to: InProcess.post(
                "user-bucket-service", #"{"action":"identify-and-ensure-bucket","userId":"\#(user.value)"}"#, token: InProcess.user(user.value)),
            readFailure: nil)
        #expect(plain.status == .ok, "\(plain.text)")
        #expect(plain.json?["data"]?.objectValue?.contains("whatsappNumber") == false)
        #expect(plain.json?["data"]?.objectValue?.contains("normalizedNumber") == false)
        #expect(plain.json?["data"]?["isNewBucket"] == .bool(true))
        let withNull = responder.respond(
            to: InProcess.post(
                "user-bucket-service", #"{"action":"identify-and-ensure-bucket","userId":"\#(user.value)","whatsappNumber":null}"#,
                token: InProcess.user(user.value)),
            readFailure: nil)
        #expect(withNull.json?["data"]?["whatsappNumber"] == .null)
        #expect(withNull.json?["data"]?["isNewBucket"] == .bool(false))
        let byNumber = responder.respond(
            to: InProcess.post(
                "user-bucket-service", #"{"action":"identify-and-ensure-bucket","whatsappNumber":"not a phone","contactId":"c1"}"#,
                token: InProcess.serviceRole),
            readFailure: nil)
        #expect(byNumber.json?["data"]?["normalizedNumber"] == .null)
        #expect(byNumber.json?["data"]?["whatsappNumber"] == .string("not a phone"))
        let someoneElse = responder.respond(
            to: InProcess.post(
                "user-bucket-service", #"{"action":"identify-and-ensure-bucket","userId":"\#(user.value)"}"#,
                token: InProcess.user("11111111-1111-4111-8111-111111111111")),
            readFailure: nil)
        #expect(someoneElse.status == .forbidden)
    }
}
