import Shared

/// `POST /functions/v1/create-user-bucket` (SPEC section 5.2; ORIGINAL.md §7): the legacy
/// endpoint. Ensures the caller's bucket and its mapping row, answering in the legacy shape.
struct CreateUserBucketHandler: RequestHandler {
    let core: CoreServices

    func handle(_ request: Request, context: RequestContext) throws -> Response {
        let caller = try core.authenticator.authenticateUserData(request)
        let body = request.body.isEmpty ? JSONObject() : try request.jsonBody().requireObject()
        let requested = try body.optionalString("userId").flatMap { $0.isEmpty ? nil : $0 }
        let userIDText: String
        switch caller {
        case .user(let id): userIDText = requested ?? id.value
        case .serviceRole, .anonymous:
            guard let requested else {
                throw ServiceError(
                    .badRequest, "Missing userId in request body", body: .object(["error": .string("Missing userId in request body")]))
            }
            userIDText = requested
        }
        guard let userID = UserID(userIDText) else { throw ServiceError.badRequest("userId must be a UUID") }
        guard caller.mayActFor(userID: userID.value) else { throw ServiceError.forbidden("A user may only create their own bucket") }
        guard let user = try ServiceError.catching({ try core.directory.user(userID) }) else {
            throw ServiceError.notFound("User not found")
        }
        let ensured: BucketProvisioner.Ensured
        do {
            ensured = try core.provisioner.ensureUserBucket(userID, known: user.bucketName)
        } catch {
            guard error.code == .dependencyFailed else { throw error }
            // The original answered a failed creation with 400 and this body.
            throw ServiceError(
                .badRequest, "Failed to create bucket",
                body: .object(["success": .bool(false), "error": .string("Failed to create bucket")]), underlying: error.underlying)
        }
        return .json(
            .object([
                "success": .bool(true),
                "bucketName": .string(ensured.name.value),
                "message": .string(ensured.isNew ? "Bucket created and mapping stored" : "Bucket already exists, mapping stored"),
            ]))
    }
}
