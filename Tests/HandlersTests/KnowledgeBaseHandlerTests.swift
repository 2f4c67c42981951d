import Shared
import Testing

@testable import KnowledgeBaseStorage

/// `knowledge-base-storage` in process: who owns a request, and how strict multipart is.
@Suite struct KnowledgeBaseHandlerTests {
    let spec = FunctionSpec(name: "knowledge-base-storage", methods: ["POST", "GET", "OPTIONS"], maxBodyBytes: 40 << 20)
    let owner = "4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90"

    func responder(_ run: InProcess) throws -> FunctionResponder {
        run.directory.addUser(UserID(owner)!)
        return run.responder(spec, try KnowledgeBaseHandler(core: run.core, environment: run.environment))
    }

    @Test func theOwnerIsTheTokensUserAndOnlyTheServiceRoleNamesAnother() throws {
        let run = try InProcess()
        let kb = try responder(run)
        let mine = kb.respond(to: InProcess.post("knowledge-base-storage", #"{"action":"list"}"#, token: InProcess.user(owner)), readFailure: nil)
        #expect(mine.status == .ok)
        #expect(mine.json?["data"] == .array([]))
        let other = kb.respond(
            to: InProcess.post(
                "knowledge-base-storage", #"{"action":"list","userId":"11111111-1111-4111-8111-111111111111"}"#, token: InProcess.user(owner)),
            readFailure: nil)
        #expect(other.status == .forbidden)
        #expect(
            kb.respond(to: InProcess.post("knowledge-base-storage", #"{"action":"list"}"#, token: InProcess.anon), readFailure: nil).status
                == .unauthorized)
        let serviceWithout = kb.respond(
            to: InProcess.post("knowledge-base-storage", #"{"action":"list"}"#, token: InProcess.serviceRole), readFailure: nil)
        #expect(serviceWithout.status == .badRequest)
        #expect(serviceWithout.text == #"{"error":"userId is required"}"#)
        let get = kb.respond(to: Request(method: "GET", path: "/functions/v1/knowledge-base-storage"), readFailure: nil)
        #expect(get.status == .methodNotAllowed)
    }

    func multipart(_ parts: [(name: String, fileName: String?, content: String)]) -> (String, [UInt8]) {
        var body = ""
        for part in parts {
            body += "--XyZ\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let fileName = part.fileName { body += "; filename=\"\(fileName)\"\r\nContent-Type: text/plain" }
            body += "\r\n\r\n\(part.content)\r\n"
        }
        return ("multipart/form-data; boundary=XyZ", Array((body + "--XyZ--\r\n").utf8))
    }

    @Test func multipartTakesExactlyOneFileAndOnlyKnownParts() throws {
        let run = try InProcess()
        let kb = try responder(run)
        func upload(_ parts: [(name: String, fileName: String?, content: String)]) -> Response {
            let (type, body) = multipart(parts)
            return kb.respond(
                to: Request(
                    method: "POST", path: "/functions/v1/knowledge-base-storage",
                    headers: ["Content-Type": type, "Authorization": "Bearer \(InProcess.user(owner))"], body: body),
                readFailure: nil)
        }
        let good = upload([("file", "a.txt", "hello"), ("metadata", nil, #"{"source":"test"}"#)])
        #expect(good.status == .ok, "\(good.text)")
        #expect(good.json?["data"]?["name"] == .string("a.txt"))
        #expect(upload([("file", "a.txt", "hello"), ("file", "b.txt", "again")]).status == .badRequest)
        #expect(upload([("file", "a.txt", "hello"), ("surprise", nil, "x")]).status == .badRequest)
        #expect(upload([("file", nil, "no name")]).status == .badRequest)
        #expect(upload([("userId", nil, owner)]).status == .badRequest)
        #expect(upload([("file", "a.txt", "hello"), ("metadata", nil, "[not an object]")]).status == .badRequest)
    }
}
