import Shared
import Testing

@Suite struct BucketNamingTests {
    let naming = try! BucketNaming(prefix: "pacelane-whatsapp")

    @Test(arguments: [
        ("00000000-0000-0000-0000-000000000000", "pacelane-whatsapp-user-nmrqdc"),
        ("123e4567-e89b-12d3-a456-426614174000", "pacelane-whatsapp-user-oj5dig"),
        ("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "pacelane-whatsapp-user-vaf1pu"),
        ("", "pacelane-whatsapp-user-0"),
        ("b", "pacelane-whatsapp-user-2q"),
    ])
    func legacyUserNamesMatchTheOriginal(userID: String, expected: String) {
        #expect(naming.legacyUserBucket(userID).value == expected)
    }

    @Test func hashOfIntMinIsItsAbsoluteValue() {
        // abs(-2^31) in 64 bits is 2^31, "zik0zk" in base 36.
        #expect(String(Int64(1) << 31, radix: 36) == "zik0zk")
    }

    @Test func contactNamesSanitizeBeforeLowercasing() {
        #expect(naming.contactBucket("contact_123_account_456").value == "pacelane-whatsapp-contact-contact-123-account-456")
        #expect(naming.contactBucket("Contact_ABC_1").value == "pacelane-whatsapp-contact--ontact-----1")
    }

    @Test func invalidOrLongNamesAreHashed() {
        let long = naming.contactBucket(String(repeating: "a", count: 80))
        #expect(long.value.count <= 63)
        #expect(long.value.hasPrefix("pacelane-whatsapp-ch-"))
        let trailing = naming.contactBucket("contact_")
        #expect(BucketName.isValid(trailing.value))
        #expect(naming.contactBucket("google").value.hasPrefix("pacelane-whatsapp-ch-"))
    }

    /// No phone number in a bucket name: contact ids that carry one get the hashed name.
    @Test(arguments: [
        "5511987650002@s.whatsapp.net", "+5511987650003", "whatsapp:+5511987650004", "55 11 98765-0005", "(11) 98765-0006",
        "contact_5511987650007_account_1", "lead-11987650008", "1234567",
        "(11)\u{2013}98765\u{2013}0009", "+55\u{00A0}11\u{00A0}98765\u{00A0}0010", "\u{FF15}\u{FF15}\u{FF11}\u{FF11}987650011",
    ])
    func contactIdsWithAPhoneGetTheHashedName(contactID: String) throws {
        let naming = try BucketNaming(prefix: "pacelane-whatsapp")
        let name = naming.contactBucket(contactID).value
        #expect(name.hasPrefix("pacelane-whatsapp-ch-"), "\(name)")
        #expect(!name.contains("98765"))
        #expect(naming.contactBucket(contactID) == naming.contactBucket(contactID))
    }

    @Test(arguments: [
        ("contact_123_account_456", "pacelane-whatsapp-contact-contact-123-account-456"),
        ("contact_123456789_account_7", "pacelane-whatsapp-contact-contact-123456789-account-7"),
        ("wa_1234567890abcdef1234", "pacelane-whatsapp-contact-wa-1234567890abcdef1234"),
        ("wa_12345678901234567890", "pacelane-whatsapp-contact-wa-12345678901234567890"),
        ("lead-123456", "pacelane-whatsapp-contact-lead-123456"),
    ])
    func ourOwnKeysAndChatwootIdsKeepTheirNames(contactID: String, expected: String) throws {
        let naming = try BucketNaming(prefix: "pacelane-whatsapp")
        let name = naming.contactBucket(contactID).value
        // Too long for a bucket name is hashed as before; otherwise the original scheme.
        #expect(name == expected || (expected.count > 63 && name.hasPrefix("pacelane-whatsapp-ch-")), "\(name)")
    }

    @Test func fallbackIsStableOpaqueAndDifferent() {
        let id = "123e4567-e89b-12d3-a456-426614174000"
        let fallback = naming.fallbackUserBucket(id)
        #expect(fallback == naming.fallbackUserBucket(id.uppercased()))
        #expect(fallback != naming.legacyUserBucket(id))
        #expect(BucketName.isValid(fallback.value))
    }

    @Test(arguments: ["ab", "-abc", "abc-", "Abc", "goog-x", "my-google-bucket", "a_b", String(repeating: "a", count: 64)])
    func namingRulesRefuse(name: String) {
        #expect(BucketName(name) == nil)
    }

    @Test func prefixMustBeUsable() {
        #expect(throws: Environment.Error.self) { try BucketNaming(prefix: "Bad_Prefix") }
        #expect(throws: Environment.Error.self) { try BucketNaming(prefix: "") }
    }
}
