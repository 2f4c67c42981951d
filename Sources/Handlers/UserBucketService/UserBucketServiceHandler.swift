import Shared

/// `POST /functions/v1/user-bucket-service` (SPEC section 5.1): routes `action` to its handler
/// after authenticating the caller.
struct UserBucketServiceHandler: RequestHandler {
    let core: CoreServices

    func handle(_ request: Request, context: RequestContext) throws -> Response {
        let caller = try core.authenticator.authenticate(request)
        // The hot path's body, read without a tree; any other body is parsed in full.
        if let fields = FlatStringObject.read(request.body, keys: IdentifyAndEnsureBucket.Input.keys, knownValues: Self.actions),
            fields[0] == "identify-and-ensure-bucket"
        {
            let input = IdentifyAndEnsureBucket.Input(whatsappNumber: fields[1], contactID: fields[2], userID: fields[3])
            return try IdentifyAndEnsureBucket(core: core).run(input, caller: caller, context: context)
        }
        let body = try request.jsonBody().requireObject()
        guard case .string(let action)? = body["action"] else { throw ServiceError.invalidActionOriginal }
        switch action {
        case "identify-and-ensure-bucket":
            return try IdentifyAndEnsureBucket(core: core).run(IdentifyAndEnsureBucket.Input(body), caller: caller, context: context)
        case "normalize-phone":
            return try normalizePhone(body)
        case "verify-mapping":
            return try VerifyMapping(core: core).run(body, caller: caller)
        case "list-buckets":
            return try ListBuckets(core: core).run(body, caller: caller)
        default:
            throw ServiceError.invalidActionOriginal
        }
    }

    /// The actions, as Strings made once.
    private static let actions = ["identify-and-ensure-bucket", "normalize-phone", "verify-mapping", "list-buckets"]

    private func normalizePhone(_ body: JSONObject) throws(ServiceError) -> Response {
        guard let input = try body.optionalString("whatsappNumber") else {
            throw ServiceError.badRequest("whatsappNumber is required")
        }
        let number = core.normalizer.normalize(input)
        return .json(
            .object([
                "success": .bool(true),
                "data": .object([
                    "input": .string(input),
                    "normalizedNumber": number.map { .string($0.e164) } ?? .null,
                    "variants": .array((number?.variants ?? []).map(JSON.string)),
                    "type": .string(number?.kind.rawValue ?? "not_a_phone"),
                ]),
            ]))
    }
}

extension ServiceError {
    /// The original's 400 body, `{"error":"Invalid action"}`.
    static let invalidActionOriginal = ServiceError(
        .badRequest, "Invalid action", body: .object(["error": .string("Invalid action")]))

    /// 401 for anon, 403 for a user acting for someone else.
    static func notAllowed(_ caller: Caller, _ message: String) -> ServiceError {
        if caller == .anonymous {
            return ServiceError(
                .unauthorized, message, body: .object(["code": .integer(401), "message": .string(message)]))
        }
        return ServiceError.forbidden(message)
    }
}
