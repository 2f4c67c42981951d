/// A normalized phone number: E.164 (`+` and digits), its matching variants, and how to show it.
package struct PhoneNumber: Sendable, Hashable, CustomStringConvertible {
    /// What kind of number it is, as far as matching needs to know.
    package enum Kind: String, Sendable {
        case mobile
        case fixedLine = "fixed_line"
        /// A Brazilian mobile written in its pre-2016 8-digit form (still many WhatsApp ids); the
        /// number itself is the canonical 9-digit form.
        case legacyMobile = "legacy_mobile"
        case other
    }

    /// The canonical E.164 form, e.g. `+5511987654321` (Brazilian mobiles with the 9th digit).
    package let e164: String
    package let countryCode: Int
    package let kind: Kind
    /// The key this number matches stored numbers by: the E.164 digits, except that a
    /// Brazilian mobile with a legacy form drops its 9th digit, so both forms share one key. The
    /// same rule as `public.userbuckets_phone_key` in SQL (`db/migrations/0006_phone_key_rules.sql`).
    /// Made once (a remembered number is looked up by it on every request).
    package let lookupKey: String

    package init(e164: String, countryCode: Int, kind: Kind) {
        self.e164 = e164
        self.countryCode = countryCode
        self.kind = kind
        self.lookupKey = Self.lookupKey(e164: e164, countryCode: countryCode)
    }

    /// The E.164 digits without `+` (a WhatsApp id).
    package var digits: Substring { e164.dropFirst() }

    /// Every E.164 form that is the same person: the canonical one first, then, for a Brazilian
    /// mobile that had an 8-digit form, that form (`BrazilianNinthDigit`).
    package var variants: [String] {
        guard let withoutNine = legacyForm else { return [e164] }
        return [e164, withoutNine]
    }

    private static func lookupKey(e164: String, countryCode: Int) -> String {
        var e164 = e164
        return e164.withUTF8 { utf8 in
            // +55 AA 9 NNNNNNNN: drop the "9" at offset 5.
            if hasLegacyForm(utf8, countryCode: countryCode) {
                return String(decoding: utf8[1..<5], as: UTF8.self) + String(decoding: utf8[6...], as: UTF8.self)
            }
            return String(decoding: utf8[1...], as: UTF8.self)
        }
    }

    /// `+55 AA NNNNNNNN` for a Brazilian mobile with an 8-digit form, else nil.
    private var legacyForm: String? {
        var e164 = e164
        return e164.withUTF8 { utf8 in
            guard Self.hasLegacyForm(utf8, countryCode: countryCode) else { return nil }
            return String(decoding: utf8[0..<5], as: UTF8.self) + String(decoding: utf8[6...], as: UTF8.self)
        }
    }

    private static func hasLegacyForm(_ utf8: UnsafeBufferPointer<UInt8>, countryCode: Int) -> Bool {
        countryCode == 55 && utf8.count == 14 && BrazilianNinthDigit.hasLegacyForm(UnsafeBufferPointer(rebasing: utf8[3...]))
    }

    /// Country code and last four digits only: `+55******4321`.
    package var masked: String { Self.mask(e164) }

    package var description: String { masked }

    /// Masks any string that may hold a phone number: keeps a leading `+` with up to 2 digits
    /// and the last 4 digits, replaces the rest with `*`.
    package static func mask(_ raw: String) -> String {
        let digits = raw.filter(\.isASCIIDigitCharacter)
        guard digits.count > 6 else { return String(repeating: "*", count: digits.count) }
        let head = raw.hasPrefix("+") ? "+" + digits.prefix(2) : ""
        let headDigits = raw.hasPrefix("+") ? 2 : 0
        return head + String(repeating: "*", count: digits.count - headDigits - 4) + digits.suffix(4)
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
