import Shared

/// `verify-mapping` (service role): what the database and storage say about one user's
/// number and bucket, and any conflict between them.
struct VerifyMapping {
    let core: CoreServices

    func run(_ body: JSONObject, caller: Caller) throws -> Response {
        guard caller == .serviceRole else { throw ServiceError.notAllowed(caller, "verify-mapping needs the service role") }
        var data = JSONObject(capacity: 8)
        var conflicts: [JSON] = []
        let userID: UserID
        if let text = try body.optionalString("userId") {
            guard let parsed = UserID(text) else { throw ServiceError.badRequest("userId must be a UUID") }
            userID = parsed
        } else if let raw = try body.optionalString("whatsappNumber") {
            guard let number = core.normalizer.normalize(raw) else {
                throw ServiceError.badRequest("whatsappNumber is not a phone number")
            }
            data["normalizedNumber"] = .string(number.e164)
            let users = try ServiceError.catching {
                var seen: [UserID] = []
                for candidate in try core.directory.usersByMapping(key: number.lookupKey)
                    + core.directory.usersByProfileWhatsApp(key: number.lookupKey)
                    + core.directory.usersByProfilePhone(key: number.lookupKey)
                where !seen.contains(candidate.userID) {
                    seen.append(candidate.userID)
                }
                return seen
            }
            guard let first = users.first else { throw ServiceError.notFound("No user has this number") }
            if users.count > 1 {
                conflicts.append(.string("number matches \(users.count) users"))
                data["matchingUserIds"] = .array(users.map { .string($0.value) })
            }
            userID = first
        } else {
            throw ServiceError.badRequest("Provide userId or whatsappNumber")
        }
        guard let user = try ServiceError.catching({ try core.directory.user(userID) }) else { throw ServiceError.notFound("User not found") }
        let mapped = try ServiceError.catching { try core.directory.mappedNumbers(of: userID) }
        let profile = try ServiceError.catching { try core.directory.profileNumbers(of: userID) }
        let legacy = core.provisioner.naming.legacyUserBucket(userID.value)
        var exists: JSON = .null
        if let recorded = user.bucket {
            if let name = BucketName(recorded) {
                exists = .bool(try ServiceError.catching { try core.provisioner.storage.bucketExists(name) })
                if exists == .bool(false) { conflicts.append(.string("recorded bucket is missing in storage")) }
            } else {
                conflicts.append(.string("recorded bucket name breaks the naming rules"))
            }
        } else {
            conflicts.append(.string("no user_bucket_mapping row"))
            if let owner = try ServiceError.catching({ try core.mappings.owner(ofBucket: legacy.value) }), owner != userID {
                conflicts.append(.string("legacy bucket name belongs to another user"))
            }
        }
        // Contact buckets the user's numbers still own: a merge that has not run (or failed).
        let keys = Set((mapped + [profile?.whatsApp, profile?.phone].compactMap { $0 }).compactMap { core.normalizer.normalize($0)?.lookupKey })
        let unmerged = try ServiceError.catching { try core.merges.unmerged(phoneKeys: keys.sorted(), contactIDs: []) }
        for contact in unmerged {
            conflicts.append(
                .string("contact bucket \(contact.bucket) of a linked number is not merged yet (\(contact.jobStatus ?? "no merge queued"))"))
        }
        data["contactBuckets"] = .array(
            unmerged.map { contact in
                .object([
                    "contactId": .string(contact.displayID), "bucketName": .string(contact.bucket), "state": .string(contact.state.rawValue),
                    "merge": contact.jobStatus.map(JSON.string) ?? .null, "note": contact.note.map(JSON.string) ?? .null,
                ])
            })
        data["userId"] = .string(userID.value)
        data["whatsappMappings"] = .array(mapped.map { .string(PhoneNumber.mask($0)) })
        data["profile"] =
            profile.map { profile in
                .object([
                    "whatsappNumber": profile.whatsApp.map { .string(PhoneNumber.mask($0)) } ?? .null,
                    "phoneNumber": profile.phone.map { .string(PhoneNumber.mask($0)) } ?? .null,
                ])
            } ?? .null
        data["bucketName"] = user.bucket.map(JSON.string) ?? .null
        data["legacyBucketName"] = .string(legacy.value)
        data["bucketExists"] = exists
        data["conflicts"] = .array(conflicts)
        return .json(.object(["success": .bool(true), "data": .object(data)]))
    }
}
