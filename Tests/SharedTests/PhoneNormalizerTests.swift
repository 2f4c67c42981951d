import TestSupport
import Testing

@testable import Shared

@Suite struct PhoneNormalizerTests {
    let normalizer = PhoneNormalizer(defaultRegion: "BR")

    @Test(arguments: [
        ("+55 (11) 98765-4321", "+5511987654321"),
        ("5511987654321", "+5511987654321"),
        ("011987654321", "+5511987654321"),
        ("0 15 11 98765-4321", "+5511987654321"),
        ("00 55 11 98765-4321", "+5511987654321"),
        ("0055 11 98765 4321", "+5511987654321"),
        ("011 55 11 98765 4321", "+5511987654321"),
        ("whatsapp:+5511987654321", "+5511987654321"),
        ("5511987654321@s.whatsapp.net", "+5511987654321"),
        ("5511987654321:12@s.whatsapp.net", "+5511987654321"),
        ("tel:+55-11-98765-4321", "+5511987654321"),
        ("+55.11.98765.4321", "+5511987654321"),
        ("+55\u{00A0}11\u{00A0}98765-4321", "+5511987654321"),
        ("(11) 98765-4321", "+5511987654321"),
        ("11987654321", "+5511987654321"),
        ("14155552671", "+14155552671"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+44 20 7946 0958", "+442079460958"),
        ("(11) 3456-7890", "+551134567890"),
        // Legacy 8-digit Brazilian mobiles: canonical form gets the 9.
        ("+55 41 8877-6655", "+5541988776655"),
        ("554188776655", "+5541988776655"),
        ("4188776655", "+5541988776655"),
    ])
    func normalizesEveryShape(input: String, expected: String) {
        #expect(normalizer.normalize(input)?.e164 == expected)
    }

    @Test(arguments: [
        "", " ", "abc", "+", "00", "120363041234567890@g.us", "123456789012345@lid", "BR.1092837465",
        "12345", "55+11999999999", "+55 11 98765-4321 ext 2", "9999999999999999999",
        "5511987654321@example.com", "john",
    ])
    func rejectsWhatIsNotAPhone(input: String) {
        #expect(normalizer.normalize(input) == nil)
    }

    @Test func brazilianMobileHasBothForms() throws {
        let number = try #require(normalizer.normalize("+55 41 98877-6655"))
        #expect(number.variants == ["+5541988776655", "+554188776655"])
        let legacy = try #require(normalizer.normalize("554188776655"))
        #expect(legacy.variants == number.variants)
    }

    @Test func landlinesAndOtherCountriesHaveOneForm() throws {
        #expect(try #require(normalizer.normalize("+55 11 3456-7890")).variants == ["+551134567890"])
        #expect(try #require(normalizer.normalize("+1 415 555 2671")).variants == ["+14155552671"])
    }

    @Test func bothFormsOfABrazilianMobileShareTheLookupKey() throws {
        let modern = try #require(normalizer.normalize("+55 11 98765-4321"))
        let legacy = try #require(normalizer.normalize("551187654321"))
        #expect(modern.lookupKey == "551187654321")
        #expect(legacy.lookupKey == modern.lookupKey)
        #expect(try #require(normalizer.normalize("+55 11 3456-7890")).lookupKey == "551134567890")
        #expect(try #require(normalizer.normalize("+1 415 555 2671")).lookupKey == "14155552671")
    }

    @Test func masksKeepOnlyCountryCodeAndLastFour() throws {
        let number = try #require(normalizer.normalize("+55 11 98765-4321"))
        #expect(number.masked == "+55*******4321")
        #expect(!number.masked.contains("98765"))
        #expect(PhoneNumber.mask("5511987654321") == "*********4321")
        #expect(number.description == number.masked)
    }

    @Test func defaultRegionIsConfigurable() {
        let american = PhoneNormalizer(defaultRegion: "US")
        #expect(american.normalize("(415) 555-2671")?.e164 == "+14155552671")
    }
}

@Suite struct PhoneNormalizerReferenceTests {
    let normalizer = PhoneNormalizer(defaultRegion: "BR")

    @Test func agreesWithLibphonenumberWheneverItCallsANumberValid() {
        let normalizer = PhoneNormalizer(defaultRegion: "BR")
        var random = SplitMix(state: 20_261_125)
        let ddds = [11, 12, 19, 21, 24, 27, 31, 41, 47, 51, 61, 62, 71, 81, 85, 91, 92, 98]
        var checked = 0
        for _ in 0..<3000 {
            let ddd = ddds.randomElement(using: &random)!
            let mobile = Bool.random(using: &random)
            let first = mobile ? "9" + String(Int.random(in: 6...9, using: &random)) : String(Int.random(in: 2...5, using: &random))
            let restCount = mobile ? 7 : 7
            let rest = (0..<restCount).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined()
            let subscriber = first + rest
            let formats = [
                "+55 (\(ddd)) \(subscriber)", "55\(ddd)\(subscriber)", "0\(ddd)\(subscriber)", "(\(ddd)) \(subscriber)",
                "\(ddd)\(subscriber)", "+55-\(ddd)-\(subscriber.prefix(4))-\(subscriber.dropFirst(4))", "0 21 \(ddd) \(subscriber)",
            ]
            for input in formats {
                guard let reference = normalizer.referenceE164(input) else { continue }
                checked += 1
                #expect(normalizer.normalize(input)?.e164 == reference, "input \(input)")
            }
        }
        #expect(checked > 10_000)
    }

    @Test func theFastPathNeverDisagreesWithLibphonenumberAndTheNinthDigitRule() {
        let normalizer = PhoneNormalizer(defaultRegion: "BR")
        var random = SplitMix(state: 7265)
        var recognized = 0
        var legacy = 0
        for _ in 0..<20_000 {
            let ddd = Int.random(in: 10...99, using: &random)
            let length = Bool.random(using: &random) ? 9 : 8
            let subscriber = (0..<length).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined()
            for digits in ["55\(ddd)\(subscriber)", "\(ddd)\(subscriber)"] {
                guard let fast = BrazilianFastPath.recognize(digits, hasPlus: false, defaultRegion: "BR") else { continue }
                recognized += 1
                let national = digits.count > 11 ? String(digits.dropFirst(2)) : digits
                if fast.kind == .legacyMobile {
                    // The 9th-digit rule: libphonenumber must call the 9-prefixed form a valid mobile.
                    legacy += 1
                    #expect(fast.e164 == "+55" + national.prefix(2) + "9" + national.dropFirst(2))
                    #expect(normalizer.referenceE164(fast.e164) == fast.e164, "digits \(digits)")
                } else {
                    #expect(normalizer.referenceE164(digits) == fast.e164, "digits \(digits)")
                    #expect(normalizer.referenceE164("+55" + national) == fast.e164)
                }
            }
        }
        #expect(recognized > 5000)
        #expect(legacy > 1000)
    }

    @Test func internationalNumbersAgreeToo() {
        let normalizer = PhoneNormalizer(defaultRegion: "BR")
        for input in ["+1 415 555 2671", "+44 20 7946 0958", "+351 912 345 678", "+49 30 901820", "+81 3-1234-5678", "+54 9 11 2345-6789"] {
            let reference = normalizer.referenceE164(input)
            #expect(reference != nil)
            #expect(normalizer.normalize(input)?.e164 == reference)
        }
    }

    /// Found by fuzzing (scripts/fuzz.sh): libphonenumber's E.164 output does not always read
    /// back as itself, and a `+55` number was once read as a national one.
    @Test(
        arguments: [
            ("tel:+430 7000", nil),  // the trunk 0 dropped leaves +437000: too short to be a number
            ("+55(0-61111341", "+5561111341"),
            ("+5561111341", "+5561111341"),  // was read as the legacy mobile +55 55 9611-11341
            ("+55(0070556660", "+5570556660"),
            ("+55(01686491492(", "+5516986491492"),  // a legacy mobile behind a trunk 0
            ("520118667816789", "+528667816789"),  // Mexico's old mobile 1 rewritten
        ] as [(String, String?)])
    func answersReadBackAsThemselves(input: String, expected: String?) {
        let number = normalizer.normalize(input)
        #expect(number?.e164 == expected)
        if let number { #expect(normalizer.normalize(number.e164)?.e164 == number.e164) }
    }

    @Test func normalizingAnAnswerAgainChangesNothing() {
        var random = SplitMix(state: 42)
        let alphabet = Array("+0123456789 ()-.0000055")
        var numbers = 0
        for _ in 0..<20_000 {
            let input = String((0..<Int.random(in: 6...18, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            guard let number = normalizer.normalize(input) else { continue }
            numbers += 1
            #expect(normalizer.normalize(number.e164)?.e164 == number.e164, "input \(input)")
        }
        #expect(numbers > 500)
    }
}
