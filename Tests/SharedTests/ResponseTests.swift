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
        let internalError = ServiceError(.internal, "Internal server error").response(requestID: "req-1")
        #expect(internalError.status == .internalServerError)
        #expect(String(decoding: internalError.body, as: UTF8.self) == #"{"success":false,"error":"Internal server error","details":"req-1"}"#)
        let badRequest = ServiceError.badRequest("userId must be a UUID").response(requestID: "req-2")
        #expect(String(decoding: badRequest.body, as: UTF8.self) == #"{"success":false,"error":"userId must be a UUID"}"#)
    }

    @Test func requestIDsAreKeptOnlyWhenSafe() {
        #expect(RequestID.accepting("abc-123_x.y") == "abc-123_x.y")
        #expect(RequestID.accepting("bad id") != "bad id")
        #expect(RequestID.accepting(String(repeating: "a", count: 65)).count == 16)
        #expect(RequestID.accepting(nil).count == 16)
    }

    @Test func madeRequestIDsAreDistinctHex() {
        let ids = (0..<10_000).map { _ in RequestID.make() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.utf8.count == 16 && $0.utf8.allSatisfy { "0123456789abcdef".utf8.contains($0) } })
    }

    @Test func headerNamesMatchInAnyCase() {
        let request = Request(method: "POST", path: "/", headers: ["X-Request-Id": "a", "authorization": "b"])
        #expect(request.header("x-request-id") == "a")
        #expect(request.header("Authorization") == "b")
        #expect(request.header("authorizatio") == nil)
        var response = Response.text("x")
        response.setHeader("content-type", "text/html")
        #expect(response.headers.filter { $0.isNamed("Content-Type") }.count == 1)
        #expect(response.header("CONTENT-TYPE") == "text/html")
    }
}

@Suite struct PostgresBindingTests {
    @Test func bindsAreTypedAndSentAsPostgreSQLText() {
        let user = UserID("4F9C2B1E-0D7A-4B6E-9A31-2C8E5F7D1A90")!
        let binds: [any PostgresBindable] = [42, Int64(-7), true, false, user, "text", Substring("sub"), Int?.none, Optional("x")]
        #expect(binds.map(\.postgresText) == ["42", "-7", "true", "false", "4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90", "text", "sub", nil, "x"])
    }
}
