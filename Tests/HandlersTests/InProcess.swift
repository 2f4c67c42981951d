import Logging
import Shared

/// A function run in this process: its handler inside the real pipeline (`FunctionResponder`),
/// on in-memory stores and storage, with tokens signed by a local secret.
struct InProcess {
    static let secret = "handler-tests-secret-handler-tests-secret"
    let directory = InMemoryUserDirectory()
    let storage = InMemoryObjectStorage()
    let core: CoreServices
    let environment: Environment

    init(_ extra: [String: String] = [:]) throws {
        environment = Environment(["SUPABASE_JWT_SECRET": Self.secret, "CHATWOOT_WEBHOOK_INSECURE": "true"].merging(extra) { $1 })
        core = try .inMemory(directory: directory, storage: storage, authenticator: try Authenticator(environment: environment))
    }

    func responder(_ spec: FunctionSpec, _ handler: any RequestHandler) -> FunctionResponder {
        FunctionResponder(spec: spec, instance: FunctionInstance(handler: handler), environment: environment, logger: Logger(label: "test"))
    }

    /// `POST` with a JSON body and, when given, a bearer token.
    static func post(_ function: String, _ json: String, token: String? = nil, headers: [String: String] = [:]) -> Request {
        var all = headers
        all["Content-Type"] = all["Content-Type"] ?? "application/json"
        if let token { all["Authorization"] = "Bearer \(token)" }
        return Request(method: "POST", path: "/functions/v1/\(function)", headers: all, body: Array(json.utf8))
    }

    static func token(_ claims: String) -> String {
        let message = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
        return message + "." + Base64URL.encode(HMACKey(secret.utf8).authenticate(Array(message.utf8)))
    }

    static func user(_ id: String) -> String {
        token(#"{"sub":"\#(id)","aud":"authenticated","role":"authenticated","exp":4102444800}"#)
    }

    static let serviceRole = token(#"{"role":"service_role","exp":4102444800}"#)
    static let anon = token(#"{"role":"anon","exp":4102444800}"#)
}

extension Response {
    var json: JSON? { try? JSONParser.parse(body) }
    var text: String { String(decoding: body, as: UTF8.self) }
}
