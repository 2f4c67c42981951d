import TestSupport
import Testing

@testable import Shared

/// Numbers of every kind, dressed in every shape people type, paste and systems send, checked
/// against libphonenumber (Python `phonenumbers`, through `TestSupport.PhoneCase`) plus the
/// 9th-digit rule: the canonical form, the matching set, answers that settle, one lookup key per
/// person, and not-a-phone inputs that stay so.
@Suite struct PhoneCorpusTests {
    let normalizer = PhoneNormalizer(defaultRegion: "BR")

    @Test func everyShapeOfEveryKindReadsAsLibphonenumberAndTheNinthDigitRuleSay() throws {
        let cases = try PhoneCase.generate(seed: 20_261_201, numbersPerKind: 120)
        #expect(cases.count > 20_000)
        var wrong: [String] = []
        var unknownToOurMetadata = 0
        for item in cases {
            let number = normalizer.normalize(item.input)
            if number?.e164 == item.e164, number?.variants ?? [] == item.variants { continue }
            // Debian's libphonenumber (8.12) predates a few numbering plans the oracle knows (Nigeria,
            // Chile, Colombia, ...). After a `+`, `00` or in a JID such a number is still read as
            // possible; a bare digit string is first a Brazilian national number, so one whose
            // international reading our metadata cannot confirm stays unread.
            if let e164 = item.e164, !e164.hasPrefix("+55"), item.shape.hasPrefix("whatsapp-id"), number == nil,
                normalizer.referenceE164(e164) == nil
            {
                unknownToOurMetadata += 1
                continue
            }
            wrong.append(
                "\(item.kind) \(item.shape) \(item.input.unicodeScalars.map(\.escapedForTest).joined()): "
                    + "\(number?.e164 ?? "nil") \(number?.variants ?? []), expected \(item.e164 ?? "nil") \(item.variants)")
        }
        #expect(wrong.count == 0, "\(wrong.count) wrong, e.g.\n\(wrong.prefix(20).joined(separator: "\n"))")
        #expect(unknownToOurMetadata < cases.count / 100)
    }

    @Test func answersSettleAndBothFormsShareOneKey() throws {
        let cases = try PhoneCase.generate(seed: 7, numbersPerKind: 40)
        var checked = 0
        for item in cases {
            guard let number = normalizer.normalize(item.input) else { continue }
            checked += 1
            let again = normalizer.normalize(number.e164)
            #expect(again?.e164 == number.e164, "input \(item.input)")
            #expect(again?.variants == number.variants, "input \(item.input)")
            for variant in number.variants {
                #expect(normalizer.normalize(variant)?.lookupKey == number.lookupKey, "variant \(variant) of \(item.input)")
            }
        }
        #expect(checked > 5_000)
    }

    @Test func aLegacyMobileIsReadAsTheNineDigitOneWhatLibphonenumberSaysOfIt() throws {
        // 7xxx-xxxx was the trunked-radio range: libphonenumber calls the 8-digit form a valid
        // mobile as it stands; the person's number has the 9 now.
        #expect(normalizer.referenceE164("+55 49 7371-9026") == "+554973719026")
        let number = try #require(normalizer.normalize("+55 49 7371-9026"))
        #expect(number.e164 == "+5549973719026")
        #expect(number.variants == ["+5549973719026", "+554973719026"])
        #expect(number.kind == .legacyMobile)
        #expect(normalizer.normalize("+5549973719026")?.lookupKey == number.lookupKey)
    }

    @Test func aNineDigitMobileWithoutALegacyRangeHasOneForm() throws {
        // 9 then 0-5: its 8-digit "form" would be a landline, someone else.
        let number = try #require(normalizer.normalize("+55 11 92345-6789"))
        #expect(number.variants == ["+5511923456789"])
        #expect(number.lookupKey == "5511923456789")
        #expect(try #require(normalizer.normalize("+55 11 2345-6789")).lookupKey != number.lookupKey)
    }

    @Test func everyAreaCodeTakesANineDigitMobile() {
        for first in 1...9 {
            for second in 1...9 {
                let ddd = "\(first)\(second)"
                let valid = normalizer.referenceE164("+55\(ddd)987654321") != nil
                #expect(BrazilianNinthDigit.isAreaCode(UInt8(ascii: "0") + UInt8(first), UInt8(ascii: "0") + UInt8(second)) == valid, "DDD \(ddd)")
            }
        }
    }

    @Test(arguments: [
        ("(63)\u{2013}97574-0300", "+5563975740300"),
        ("55\u{2013}12\u{2013}985309682", "+5512985309682"),
        ("\u{202A}+55 11 98765\u{2011}4321\u{202C}", "+5511987654321"),
        ("\u{FF0B}\u{FF15}\u{FF15} \u{FF11}\u{FF11} 98765-4321", "+5511987654321"),
        ("+55\u{3000}11\u{200B}98765\u{2212}4321\u{FEFF}", "+5511987654321"),
        ("\u{0665}\u{0665}\u{0661}\u{0661}\u{0669}\u{0668}\u{0667}\u{0666}\u{0665}\u{0664}\u{0663}\u{0662}\u{0661}", "+5511987654321"),
        ("0 12 44 9665-3804", "+5544996653804"),
        ("0124464516719", "+5544964516719"),
        ("0-23-15-6846-0466", "+5515968460466"),
        ("(0xx11) 8765-4321", "+5511987654321"),
        ("0XX21 3456 7890", "+552134567890"),
        ("+55 49 7371-9026", "+5549973719026"),
        ("4930868458@s.whatsapp.net", "+4930868458"),
    ])
    func readsPastedCarrierAndLegacyShapes(input: String, expected: String) {
        #expect(normalizer.normalize(input)?.e164 == expected)
    }

    @Test(arguments: [
        "0xx", "(0xx11)", "x5511987654321", "55 11 9876x-4321", "0x11 98765-4321", "0xxx11 98765-4321",
        "\u{200B}", "\u{2013}\u{2013}", "\u{FF0B}", "+55 11 98765\u{2013}4321 \u{2013} ramal 2", "℡ 11 98765-4321",
        String(repeating: "\u{200B}", count: 600) + "5511987654321",
    ])
    func staysNotAPhone(input: String) {
        #expect(normalizer.normalize(input) == nil)
    }
}

extension Unicode.Scalar {
    fileprivate var escapedForTest: String { isASCII ? String(self) : "\\u{\(String(value, radix: 16, uppercase: true))}" }
}
