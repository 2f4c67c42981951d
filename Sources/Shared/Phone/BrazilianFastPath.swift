/// Recognizes the commonest Brazilian shapes without libphonenumber: a 9-digit mobile
/// (`DD 9XXXX-XXXX`) or an 8-digit landline (`DD [2-5]XXX-XXXX`) under a valid area code, with or
/// without `55`.
///
/// It answers only where libphonenumber's BR metadata gives the same answer with no doubt (the
/// reference tests check this against libphonenumber itself), and returns nil for everything
/// else, which takes the full path. A parse costs tens of microseconds; this costs a few.
enum BrazilianFastPath {
    static func recognize(_ digits: String, hasPlus: Bool, defaultRegion: String) -> PhoneNumber? {
        let bytes = Array(digits.utf8)
        let national: ArraySlice<UInt8>
        switch bytes.count {
        case 12, 13:
            guard bytes[0] == UInt8(ascii: "5"), bytes[1] == UInt8(ascii: "5") else { return nil }
            national = bytes[2...]
        case 10, 11:
            guard !hasPlus, defaultRegion == "BR" else { return nil }
            national = bytes[...]
        default:
            return nil
        }
        guard isAreaCode(national[national.startIndex], national[national.startIndex + 1]) else { return nil }
        let first = national[national.startIndex + 2]
        let kind: PhoneNumber.Kind
        if national.count == 11 && first == UInt8(ascii: "9") {
            kind = .mobile
        } else if national.count == 10 && (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(first) {
            kind = .fixedLine
        } else {
            return nil
        }
        return PhoneNumber(e164: "+55" + String(decoding: national, as: UTF8.self), countryCode: 55, kind: kind)
    }

    /// Area codes (DDD) libphonenumber accepts for Brazil:
    /// `[14689][1-9] | 2[12478] | 3[1-578] | 5[13-5] | 7[13-579]`.
    static func isAreaCode(_ first: UInt8, _ second: UInt8) -> Bool {
        guard let d1 = digit(first), let d2 = digit(second) else { return false }
        switch d1 {
        case 1, 4, 6, 8, 9: return d2 >= 1
        case 2: return d2 == 1 || d2 == 2 || d2 == 4 || d2 == 7 || d2 == 8
        case 3: return d2 >= 1 && d2 <= 8 && d2 != 6
        case 5: return d2 == 1 || d2 == 3 || d2 == 4 || d2 == 5
        case 7: return d2 == 1 || d2 == 3 || d2 == 4 || d2 == 5 || d2 == 7 || d2 == 9
        default: return false
        }
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= 0x30 && byte <= 0x39 ? Int(byte - 0x30) : nil
    }
}
