import Logging
import Shared
import Testing

@Suite struct UserIdentifierTests {
    let normalizer = PhoneNormalizer(defaultRegion: "BR")
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    let ana = UserID("4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90")!
    let bruno = UserID("00000000-0000-0000-0000-00000000000b")!

    func number(_ text: String) -> PhoneNumber { normalizer.normalize(text)! }

    @Test func theMappingWinsOverProfiles() throws {
        let directory = InMemoryUserDirectory()
        directory.addUser(ana)
        directory.addUser(bruno, profile: .init(whatsApp: "+5511987654321"))
        directory.addMapping(ana, number: "5511987654321@s.whatsapp.net")
        let result = try UserIdentifier(directory: directory).identify(number: number("+5511987654321"), contactID: nil, logger: logger)
        #expect(result == .identified(UserCandidate(userID: ana), .mapping))
    }

    @Test func aProfileHitWritesTheMappingWithChatwootIDs() throws {
        let directory = InMemoryUserDirectory()
        directory.addUser(ana, profile: .init(whatsApp: "(11) 98765-4321"))
        let result = try UserIdentifier(directory: directory).identify(
            number: number("551187654321"), contactID: "contact_12_account_3", logger: logger)
        #expect(result.outcome == "profile_whatsapp")
        let rows = directory.mappingRows
        #expect(rows.count == 1)
        #expect(rows.first?.number == "+5511987654321")
        #expect(rows.first?.contact == "12" && rows.first?.account == "3")
    }

    @Test func aPhoneNumberHitBackfillsWhatsApp() throws {
        let directory = InMemoryUserDirectory()
        directory.addUser(ana, profile: .init(whatsApp: nil, phone: "+55 41 3333-4444"))
        let result = try UserIdentifier(directory: directory).identify(number: number("4133334444"), contactID: nil, logger: logger)
        #expect(result.outcome == "profile_phone")
        #expect(directory.profile(of: ana)?.whatsApp == "+554133334444")
    }

    @Test func severalUsersAtOneStepAreAmbiguousAndStopTheSearch() throws {
        let directory = InMemoryUserDirectory()
        directory.addUser(ana, profile: .init(whatsApp: "+5511987654321"))
        directory.addUser(bruno, profile: .init(whatsApp: "551187654321"))
        directory.addNote(ana, contactID: "contact_1_account_1")
        let result = try UserIdentifier(directory: directory).identify(
            number: number("+5511987654321"), contactID: "contact_1_account_1", logger: logger)
        #expect(result == .ambiguous(.profileWhatsApp))
        #expect(directory.mappingRows.isEmpty)
    }

    @Test func meetingNotesNeedTheExactContactAndTakeTheNewest() throws {
        let directory = InMemoryUserDirectory()
        directory.addNote(ana, contactID: "contact_1_account_1")
        directory.addNote(bruno, contactID: "contact_1_account_1")
        let identifier = UserIdentifier(directory: directory)
        #expect(try identifier.identify(number: nil, contactID: "contact_1_account_1", logger: logger).candidate?.userID == bruno)
        #expect(try identifier.identify(number: nil, contactID: "contact_1_account", logger: logger) == .notFound)
        #expect(try identifier.identify(number: nil, contactID: "", logger: logger) == .notFound)
    }
}
