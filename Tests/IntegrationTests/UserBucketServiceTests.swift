import Foundation
import Shared
import Testing

/// `user-bucket-service` through nginx, FastCGI, PostgreSQL and the filesystem backend.
@Suite(.onTheStack, .serialized)
struct UserBucketServiceTests {
    let client = Stack.shared.client()
    let fixtures = Fixtures()
    let function = "user-bucket-service"

    func identify(_ fields: String, token: String = Tokens.serviceRole) throws -> HTTPTestClient.Result {
        try client.post(function, json: #"{"action":"identify-and-ensure-bucket"\#(fields)}"#, token: token)
    }

    @Test func aUserEnsuresTheirOwnBucketOnce() throws {
        let user = try fixtures.user()
        let first = try identify(#","userId":"\#(user)""#, token: Tokens.user(user))
        #expect(first.status == 200)
        let data = try #require(first.json?["data"])
        let expected = try BucketNaming(prefix: Stack.shared.prefix).legacyUserBucket(user).value
        #expect(data["bucketName"]?.stringValue == expected)
        #expect(data["isNewBucket"] == .bool(true))
        #expect(data["userId"]?.stringValue == user)
        // Key presence: no whatsappNumber sent → no whatsappNumber and no normalizedNumber key.
        #expect(data.objectValue?.contains("whatsappNumber") == false)
        #expect(data.objectValue?.contains("normalizedNumber") == false)
        #expect(FileManager.default.fileExists(atPath: Stack.shared.storageDir + "/" + expected))
        let second = try identify(#","userId":"\#(user)","whatsappNumber":null"#, token: Tokens.user(user))
        #expect(second.json?["data"]?["isNewBucket"] == .bool(false))
        #expect(second.json?["data"]?["whatsappNumber"] == .null)
        let rows = try fixtures.rows("SELECT bucket_name FROM user_bucket_mapping WHERE user_id = $1::uuid", [user])
        #expect(rows.map { $0[0] } == [expected])
        #expect(first.header("content-type") == "application/json")
        #expect(first.header("access-control-allow-origin") == "*")
    }

    @Test func identifiesByProfileWhatsAppThenByTheMappingItWrote() throws {
        let number = Fixtures.randomMobile()
        let user = try fixtures.user(whatsapp: number)
        let contact = "contact_\(Int.random(in: 1...999_999))_account_7"
        let input = "whatsapp:" + number
        let first = try identify(#","whatsappNumber":"\#(input)","contactId":"\#(contact)""#)
        #expect(first.status == 200)
        #expect(first.json?["data"]?["userId"]?.stringValue == user)
        #expect(first.json?["data"]?["normalizedNumber"]?.stringValue == number)
        #expect(first.json?["data"]?["whatsappNumber"]?.stringValue == input)
        #expect(first.json?["data"]?["contactId"]?.stringValue == contact)
        let mapping = try fixtures.rows(
            "SELECT whatsapp_number, is_verified::text, chatwoot_contact_id, chatwoot_account_id FROM whatsapp_user_mapping WHERE user_id = $1::uuid",
            [user])
        #expect(mapping.count == 1)
        #expect(mapping.first?[0] == number)
        #expect(mapping.first?[1] == "false")
        #expect(mapping.first?[3] == "7")
        let second = try identify(#","whatsappNumber":"\#(number.dropFirst())""#)
        #expect(second.json?["data"]?["userId"]?.stringValue == user)
        #expect(second.json?["data"]?["bucketName"] == first.json?["data"]?["bucketName"])
    }

    @Test func profilePhoneMatchBackfillsTheWhatsAppNumber() throws {
        let number = Fixtures.randomMobile()
        // Stored in a national, punctuated shape written by someone else.
        let national = "(" + number.dropFirst(3).prefix(2) + ") " + number.dropFirst(5)
        let user = try fixtures.user(whatsapp: nil, phone: String(national))
        let result = try identify(#","whatsappNumber":"\#(number)""#)
        #expect(result.json?["data"]?["userId"]?.stringValue == user)
        let profile = try fixtures.rows("SELECT whatsapp_number FROM profiles WHERE user_id = $1::uuid", [user])
        #expect(profile.first?[0] == number)
    }

    @Test func theNinthDigitVariantsFindEachOther() throws {
        let number = Fixtures.randomMobile()  // +55119XXXXXXXX
        let legacyWaID = "5511" + number.dropFirst(6)  // without the 9, as old WhatsApp ids are
        let user = try fixtures.user(profile: false)
        try fixtures.mapping(user, number: legacyWaID + "@s.whatsapp.net")
        let result = try identify(#","whatsappNumber":"\#(number)""#)
        #expect(result.json?["data"]?["userId"]?.stringValue == user)
    }

    @Test func twoUsersWithOneNumberAreAmbiguous() throws {
        let number = Fixtures.randomMobile()
        _ = try fixtures.user(whatsapp: number)
        _ = try fixtures.user(whatsapp: String(number.dropFirst()))
        let result = try identify(#","whatsappNumber":"\#(number)""#)
        #expect(result.status == 200)
        #expect(result.json?["data"]?["userId"] == .null)
        let bucket = try #require(result.json?["data"]?["bucketName"]?.stringValue)
        #expect(bucket.contains("-contact-"))
        #expect(!bucket.contains(String(number.suffix(8))))
    }

    /// A contact id that carries a number gets a hashed bucket name: no phone number in a name
    /// (bucket names are visible across GCS) or in the log line of its creation.
    @Test func aContactIdHoldingANumberGetsAnOpaqueBucket() throws {
        for contact in ["\(Fixtures.randomMobile().dropFirst())@s.whatsapp.net", Fixtures.randomMobile()] {
            let result = try identify(#","contactId":"\#(contact)""#)
            #expect(result.status == 200, "\(result.text)")
            let bucket = try #require(result.json?["data"]?["bucketName"]?.stringValue)
            #expect(bucket.hasPrefix(Stack.shared.prefix + "-ch-"), "\(bucket)")
            #expect(!bucket.contains(String(contact.filter(\.isNumber).suffix(8))))
        }
    }

    @Test func meetingNotesMatchTheExactContactOnly() throws {
        let user = try fixtures.user()
        let contact = "contact_\(Int.random(in: 1...999_999))_account_9"
        try fixtures.note(user, contactID: contact)
        try fixtures.note(nil, contactID: contact + "0")
        let hit = try identify(#","contactId":"\#(contact)""#)
        #expect(hit.json?["data"]?["userId"]?.stringValue == user)
        let miss = try identify(#","contactId":"\#(contact.dropLast())""#)
        #expect(miss.json?["data"]?["userId"] == .null)
    }

    @Test func anUnknownNumberGetsAStableOpaqueContactBucket() throws {
        let number = Fixtures.randomMobile()
        let first = try identify(#","whatsappNumber":"\#(number)""#)
        let second = try identify(#","whatsappNumber":"\#(number.dropFirst())""#)
        #expect(first.status == 200)
        #expect(first.json?["data"]?["bucketName"] == second.json?["data"]?["bucketName"])
        #expect(first.json?["data"]?["isNewBucket"] == .bool(true))
        #expect(second.json?["data"]?["isNewBucket"] == .bool(false))
        let contact = try #require(first.json?["data"]?["contactId"]?.stringValue)
        #expect(!contact.contains(String(number.suffix(8))))
    }

    @Test func normalizePhoneAnswersTheContract() throws {
        let result = try client.post(function, json: #"{"action":"normalize-phone","whatsappNumber":"554188776655"}"#, token: Tokens.anon)
        #expect(result.status == 200)
        #expect(
            result.text
                == #"{"success":true,"data":{"input":"554188776655","normalizedNumber":"+5541988776655","variants":["+5541988776655","+554188776655"],"type":"legacy_mobile"}}"#
        )
        let group = try client.post(function, json: #"{"action":"normalize-phone","whatsappNumber":"1203@g.us"}"#, token: Tokens.anon)
        #expect(group.json?["data"]?["normalizedNumber"] == .null)
        #expect(group.json?["data"]?["variants"] == .array([]))
    }

    @Test func verifyMappingAndListBucketsShowTheState() throws {
        let number = Fixtures.randomMobile()
        let user = try fixtures.user(whatsapp: number)
        _ = try identify(#","whatsappNumber":"\#(number)""#)
        let verify = try client.post(function, json: #"{"action":"verify-mapping","userId":"\#(user)"}"#, token: Tokens.serviceRole)
        #expect(verify.status == 200)
        #expect(verify.json?["data"]?["bucketExists"] == .bool(true))
        #expect(verify.json?["data"]?["conflicts"] == .array([]))
        #expect(!verify.text.contains(String(number.dropFirst(3))))
        let byNumber = try client.post(function, json: #"{"action":"verify-mapping","whatsappNumber":"\#(number)"}"#, token: Tokens.serviceRole)
        #expect(byNumber.json?["data"]?["userId"]?.stringValue == user)

        // A row whose bucket is gone, and a bucket without a row.
        let dangling = try fixtures.user()
        try fixtures.rows(
            "INSERT INTO user_bucket_mapping (user_id, bucket_name) VALUES ($1::uuid, $2) RETURNING id",
            [dangling, "\(Stack.shared.prefix)-zz-dangling-\(dangling.prefix(8))"])
        let orphan = "\(Stack.shared.prefix)-zz-orphan-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: Stack.shared.storageDir + "/" + orphan, withIntermediateDirectories: false)
        var names: [String] = []
        var orphans: [String] = []
        var danglingRows: [String] = []
        var token: JSON = .null
        repeat {
            let page = try client.post(
                function, json: #"{"action":"list-buckets","limit":7,"pageToken":\#(token.serialized())}"#, token: Tokens.serviceRole)
            #expect(page.status == 200)
            let data = try #require(page.json?["data"])
            for bucket in data["buckets"]?.arrayValue ?? [] {
                names.append(bucket["name"]!.stringValue!)
                if bucket["orphan"] == .bool(true) { orphans.append(bucket["name"]!.stringValue!) }
            }
            danglingRows += (data["danglingRows"]?.arrayValue ?? []).compactMap { $0["bucketName"]?.stringValue }
            token = data["nextPageToken"] ?? .null
        } while token != .null
        #expect(names == names.sorted())
        #expect(Set(names).count == names.count)
        #expect(orphans.contains(orphan))
        #expect(danglingRows.contains("\(Stack.shared.prefix)-zz-dangling-\(dangling.prefix(8))"))
    }

    @Test func operatorActionsNeedTheServiceRole() throws {
        let user = try fixtures.user()
        for action in [#""verify-mapping","userId":"\#(user)""#, #""list-buckets""#] {
            let asUser = try client.post(function, json: #"{"action":\#(action)}"#, token: Tokens.user(user))
            #expect(asUser.status == 403)
            let asAnon = try client.post(function, json: #"{"action":\#(action)}"#, token: Tokens.anon)
            #expect(asAnon.status == 401)
        }
    }
}
