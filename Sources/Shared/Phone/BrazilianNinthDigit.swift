/// The one rule for Brazil's 9th digit, used wherever a number is read, matched or keyed.
///
/// Brazilian mobiles gained a leading `9` between 2012 and 2016; WhatsApp ids made before then
/// (and numbers people still write from memory) lack it. An 8-digit subscriber number that
/// begins with 6–9 under a valid area code is therefore the same person as its 9-prefixed form
/// whenever that form is a valid mobile — whatever libphonenumber says of the 8-digit form (it
/// calls the old trunked-radio range `7…` valid as it stands). The 9-digit form is canonical;
/// the matching set holds both. A 9-digit mobile whose next digit is 0–5 has no 8-digit form
/// (that would be a landline, someone else). The SQL twin of this rule is
/// `public.userbuckets_phone_key` (`db/migrations/0006_phone_key_rules.sql`).
enum BrazilianNinthDigit {
    /// The 11-digit national number for a 10-digit legacy mobile `nsn` (area code + 8 digits
    /// beginning 6–9), or nil when `nsn` is not one.
    static func modernForm<Digits: Collection<UInt8>>(ofLegacy nsn: Digits) -> [UInt8]? {
        guard nsn.count == 10 else { return nil }
        let bytes = Array(nsn)
        guard isAreaCode(bytes[0], bytes[1]), (UInt8(ascii: "6")...UInt8(ascii: "9")).contains(bytes[2]) else { return nil }
        return Array(bytes[0..<2]) + [UInt8(ascii: "9")] + bytes[2...]
    }

    /// Whether the 11-digit national number `nsn` is a mobile with a legacy 8-digit form:
    /// area code, `9`, then 6–9.
    static func hasLegacyForm<Digits: RandomAccessCollection<UInt8>>(_ nsn: Digits) -> Bool where Digits.Index == Int {
        guard nsn.count == 11 else { return false }
        let start = nsn.startIndex
        return isAreaCode(nsn[start], nsn[start + 1]) && nsn[start + 2] == UInt8(ascii: "9")
            && (UInt8(ascii: "6")...UInt8(ascii: "9")).contains(nsn[start + 3])
    }

    /// Area codes (DDD) libphonenumber accepts for Brazil:
    /// `[14689][1-9] | 2[12478] | 3[1-578] | 5[13-5] | 7[13-579]`. Every one of them takes a
    /// 9-digit mobile, so a 9-prefixed form under one is a valid mobile.
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
