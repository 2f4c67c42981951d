import Logging
import Shared

/// `identify-and-ensure-bucket`: the original contract (ORIGINAL.md §2.1) with SPEC sections 3
/// and 4: who the user is, and their bucket, made exactly once.
struct IdentifyAndEnsureBucket {
    let core: CoreServices

    /// The request's fields, from a flat body (`FlatStringObject`) or a parsed one.
    struct Input {
        /// `action` first, then the fields, as `FlatStringObject` reads them.
        static let keys: [StaticString] = ["action", "whatsappNumber", "contactId", "userId"]

        var whatsappNumber: String?
        var contactID: String?
        var userID: String?
        /// `whatsappNumber` as it came (a null too), echoed in the answer.
        var echoedNumber: JSON?

        init(whatsappNumber: String?, contactID: String?, userID: String?) {
            self.whatsappNumber = whatsappNumber
            self.contactID = contactID
            self.userID = userID
            self.echoedNumber = whatsappNumber.map(JSON.string)
        }

        /// From a parsed body: each field absent, null or a string (else a 400 naming it).
        init(_ body: JSONObject) throws(ServiceError) {
            self.init(
                whatsappNumber: try body.optionalString("whatsappNumber"), contactID: try body.optionalString("contactId"),
                userID: try body.optionalString("userId"))
            echoedNumber = body["whatsappNumber"]
        }
    }

    func run(_ input: Input, caller: Caller, context: RequestContext) throws -> Response {
        let whatsappNumber = input.whatsappNumber
        let contactID = input.contactID.flatMap { $0.isEmpty ? nil : $0 }
        let userIDText = input.userID.flatMap { $0.isEmpty ? nil : $0 }

        let ensured: BucketProvisioner.Ensured
        let userIDValue: String?
        var normalized: JSON?
        var finalContactID = contactID
        /// With no contact id given, a user's is `user_<their id>` (written, never built).
        var contactOfUser: String?

        if let userIDText {
            guard let userID = UserID(userIDText) else { throw ServiceError.badRequest("userId must be a UUID") }
            guard caller.mayActFor(userID: userID.value) else {
                throw ServiceError.notAllowed(caller, "A user may only ensure their own bucket")
            }
            guard let user = try ServiceError.catching({ try core.directory.user(userID) }) else {
                throw ServiceError.notFound("User not found")
            }
            ensured = try core.provisioner.ensureUserBucket(userID, known: user.bucketName)
            userIDValue = userID.value
            if finalContactID == nil { contactOfUser = userID.value }
        } else {
            guard caller == .serviceRole else {
                throw ServiceError.notAllowed(caller, "Identifying a user by phone number needs the service role")
            }
            let hasNumber = !(whatsappNumber ?? "").isEmpty
            guard hasNumber || contactID != nil else {
                throw ServiceError.badRequest("Provide userId, whatsappNumber or contactId")
            }
            let number = whatsappNumber.flatMap { $0.isEmpty ? nil : core.numbers.normalize($0) }
            if hasNumber { normalized = number.map { .string($0.e164) } ?? .null }
            let identification = try core.identifier.identify(number: number, contactID: contactID, logger: context.logger)
            context.log(.info, "identification", metadata: [LogKey.outcome: .string(identification.outcome)])
            if identification.candidate == nil, finalContactID == nil, let number { finalContactID = Self.contactKey(for: number) }
            guard
                let found = try core.provisioner.ensureBucket(
                    after: identification, contactID: finalContactID, phoneKey: number?.lookupKey)
            else {
                throw ServiceError.badRequest("whatsappNumber is not a phone number and no contactId was given")
            }
            ensured = found.bucket
            userIDValue = found.userID?.value
            if let user = found.userID, finalContactID == nil { contactOfUser = user.value }
        }
        if ensured.isNew {
            context.log(.info, "bucket created", metadata: [LogKey.bucket: .string(ensured.name.value)])
        }
        // Written as it goes out: no tree for the answer on the hot path.
        var answer = JSONObjectWriter()
        answer.bool("success", true)
        answer.beginObject("data")
        answer.string("userId", userIDValue)
        if let contactOfUser {
            answer.string("contactId", prefix: "user_", contactOfUser)
        } else {
            answer.string("contactId", finalContactID)
        }
        answer.string("bucketName", ensured.name.value)
        answer.bool("isNewBucket", ensured.isNew)
        if let echoed = input.echoedNumber { answer.value("whatsappNumber", echoed) }
        if let normalized { answer.value("normalizedNumber", normalized) }
        return .json(bytes: answer.finish())
    }

    /// A stable, opaque contact key for a number with no user: never the number itself.
    static func contactKey(for number: PhoneNumber) -> String {
        "wa_" + Digest.hex(Digest.sha256(Array("userbuckets:contact:\(number.e164)".utf8)).prefix(10))
    }
}
