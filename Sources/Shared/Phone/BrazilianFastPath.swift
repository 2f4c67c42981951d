/// Recognizes the commonest Brazilian shapes without libphonenumber: a 9-digit mobile
/// (`DD 9XXXX-XXXX`), an 8-digit landline (`DD [2-5]XXX-XXXX`) or a legacy 8-digit mobile
/// (`DD [6-9]XXX-XXXX`, answered in its 9-digit form) under a valid area code, with or without
/// `55`.
///
/// It answers only where libphonenumber's BR metadata and the 9th-digit rule give the same
/// answer with no doubt (the reference tests check this against libphonenumber itself), and
/// returns nil for everything else, which takes the full path. A parse costs tens of
/// microseconds; this costs a few.
enum BrazilianFastPath {
    static func recognize(_ digits: String, hasPlus: Bool, defaultRegion: String) -> PhoneNumber? {
        var digits = digits
        return digits.withUTF8 { bytes in
            let national: UnsafeBufferPointer<UInt8>
            switch bytes.count {
            case 12, 13:
                guard bytes[0] == UInt8(ascii: "5"), bytes[1] == UInt8(ascii: "5") else { return nil }
                national = UnsafeBufferPointer(rebasing: bytes[2...])
            case 10, 11:
                guard !hasPlus, defaultRegion == "BR" else { return nil }
                national = bytes
            default:
                return nil
            }
            guard BrazilianNinthDigit.isAreaCode(national[0], national[1]) else { return nil }
            let first = national[2]
            if national.count == 11 && first == UInt8(ascii: "9") {
                return PhoneNumber(e164: "+55" + String(decoding: national, as: UTF8.self), countryCode: 55, kind: .mobile)
            }
            guard national.count == 10 else { return nil }
            if (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(first) {
                return PhoneNumber(e164: "+55" + String(decoding: national, as: UTF8.self), countryCode: 55, kind: .fixedLine)
            }
            guard let modern = BrazilianNinthDigit.modernForm(ofLegacy: national) else { return nil }
            return PhoneNumber(e164: "+55" + String(decoding: modern, as: UTF8.self), countryCode: 55, kind: .legacyMobile)
        }
    }
}
