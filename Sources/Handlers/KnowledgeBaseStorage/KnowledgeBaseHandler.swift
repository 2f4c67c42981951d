import Logging
import Shared

/// `POST /functions/v1/knowledge-base-storage` (SPEC §5.4): a user's files in their own bucket.
/// The owner comes from the JWT (a service-role caller names `userId`); every read is scoped to
/// that owner. `GET …?link=<token>` serves a preview link (filesystem backend).
struct KnowledgeBaseHandler: RequestHandler {
    let core: CoreServices
    var files: any KnowledgeFileStore { core.knowledgeFiles }
    let maxUploadBytes: Int
    let previewSeconds: Int
    let links: PreviewLink?
    /// Where links to this function start (`UB_PUBLIC_BASE_URL`, else the local stack's
    /// `UB_BASE_URL`; neither: links are relative). Never the request's `Host`, which the
    /// client chooses.
    let publicBaseURL: String
    let clock: @Sendable () -> Int
    /// `KB_PROCESSING_URL` is set: stored files get a `kb_processing` job.
    let processingEnabled: Bool

    init(core: CoreServices, environment: Environment, clock: @escaping @Sendable () -> Int = { UnixTime.now() }) throws {
        self.core = core
        self.maxUploadBytes = try environment.integer("KB_MAX_UPLOAD_BYTES", default: 25 << 20)
        self.previewSeconds = try environment.integer("KB_PREVIEW_SECONDS", default: 300)
        self.links = PreviewLink(environment: environment)
        var base = environment.get("UB_PUBLIC_BASE_URL") ?? environment.get("UB_BASE_URL") ?? ""
        while base.hasSuffix("/") { base.removeLast() }
        self.publicBaseURL = base
        self.clock = clock
        self.processingEnabled = environment.get("KB_PROCESSING_URL") != nil
    }

    func handle(_ request: Request, context: RequestContext) throws -> Response {
        if request.method == "GET", let token = request.queryValue("link") {
            return try servePreview(token)
        }
        // GET is for preview links only.
        guard request.method == "POST" else { throw ServiceError.methodNotAllowedOriginal }
        let caller = try core.authenticator.authenticateUserData(request)
        if let type = request.header("content-type"), type.lowercased().hasPrefix("multipart/form-data") {
            return try multipartUpload(request, contentType: type, caller: caller, context: context)
        }
        // A base64 file is read from the body where it is: the tree never holds a copy of it.
        if request.body.isEmpty { throw ServiceError.badRequest("Request body is empty; expected a JSON object") }
        let parsed: (JSON, [[String]: Range<Int>])
        do {
            parsed = try JSONParser.parseDeferringLongStrings(request.body, limits: Self.jsonLimits)
        } catch {
            throw Request.jsonError(error)
        }
        let body = try parsed.0.requireObject()
        let long = parsed.1
        if long.keys.contains(where: { $0 != ["file", "content"] && $0 != ["content"] }) {
            throw ServiceError(
                .payloadTooLarge, "Only file.content and content may be longer than \(Self.jsonLimits.deferStringsLongerThan!) bytes")
        }
        let owner = try Self.owner(caller: caller, body: body)
        switch try body.optionalString("action") {
        case "upload": return try upload(body, owner: owner, content: long[["file", "content"]].map { request.body[$0] }, context: context)
        case "whatsapp_content":
            return try whatsAppContent(body, caller: caller, owner: owner, longContent: long[["content"]].map { request.body[$0] }, context: context)
        case "extract": return try extract(body, owner: owner)
        case "list": return try list(body, owner: owner)
        case "delete": return try delete(body, owner: owner)
        case "content": return try content(body, owner: owner)
        case "stream": return try stream(body, owner: owner)
        case "preview": return try preview(body, owner: owner, request: request)
        default: throw ServiceError(.badRequest, "Invalid action", body: .object(["error": .string("Invalid action")]))
        }
    }

    /// The JWT's user; a body `userId` that names someone else is refused. The service role
    /// names the user.
    static func owner(caller: Caller, body: JSONObject) throws(ServiceError) -> UserID {
        let named = try body.optionalString("userId").flatMap { $0.isEmpty ? nil : $0 }
        switch caller {
        case .user(let id):
            if let named, named.lowercased() != id.value { throw ServiceError.forbidden("userId does not match the signed-in user") }
            return id
        case .serviceRole:
            guard let named else { throw ServiceError(.badRequest, "userId is required", body: .object(["error": .string("userId is required")])) }
            guard let user = UserID(named) else { throw ServiceError.badRequest("userId must be a UUID") }
            return user
        case .anonymous:
            throw ServiceError(.unauthorized, "This action needs a user or service-role token")
        }
    }
}
