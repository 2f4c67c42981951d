import Testing

@testable import Shared

@Suite struct ResponseTests {
    @Test func encodesCGIWithStatusAndLength() {
        let response = Response.json(.object(["ok": .bool(true)]), status: .notFound)
        let text = String(decoding: response.cgiEncoded(), as: UTF8.self)
        #expect(text == "Status: 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}")
    }

    @Test func headerValuesCannotSplitTheResponse() {
        var response = Response.text("x")
        response.setHeader("X-Request-Id", "a\r\nSet-Cookie: evil=1")
        let text = String(decoding: response.cgiEncoded(), as: UTF8.self)
        #expect(!text.contains("\r\nSet-Cookie"))
    }

    @Test func unexpectedErrorsCarryOnlyTheRequestID() {
        let internalError = FastCGIServer.errorResponse(ServiceError(.internal, "Internal server error"), requestID: "req-1")
        #expect(internalError.status == .internalServerError)
        #expect(String(decoding: internalError.body, as: UTF8.self) == #"{"success":false,"error":"Internal server error","details":"req-1"}"#)
        let badRequest = FastCGIServer.errorResponse(.badRequest("userId must be a UUID"), requestID: "req-2")
        #expect(String(decoding: badRequest.body, as: UTF8.self) == #"{"success":false,"error":"userId must be a UUID"}"#)
    }

    @Test func requestIDsAreKeptOnlyWhenSafe() {
        #expect(RequestID.accepting("abc-123_x.y") == "abc-123_x.y")
        #expect(RequestID.accepting("bad id") != "bad id")
        #expect(RequestID.accepting(String(repeating: "a", count: 65)).count == 16)
        #expect(RequestID.accepting(nil).count == 16)
    }
}
