internal import CPhoneNumber

/// Turns phone numbers in every shape callers send into `PhoneNumber` (SPEC section 2).
///
/// Google's libphonenumber decides validity and formats E.164; the layer here handles what it
/// gets wrong or does not know: WhatsApp JIDs and `whatsapp:`/`tel:` prefixes, `00` and `011`
/// exit codes under region BR (it reads the two digits after `00` as a carrier code), digit
/// strings that already carry their country code, the printed `0xx` carrier placeholder, text
/// pasted from documents and apps (Unicode dashes, spaces, fullwidth and other-script digits,
/// invisible format characters), and the 9th-digit rule for legacy 8-digit Brazilian mobiles
/// (`BrazilianNinthDigit`). Group JIDs, `@lid` ids, BSUIDs and anything with letters are not
/// phones.
package struct PhoneNormalizer: Sendable {
    /// ISO 3166 region for numbers written without a country code.
    package let defaultRegion: String

    package init(defaultRegion: String = "BR") {
        self.defaultRegion = defaultRegion.uppercased()
    }

    /// Reads `PHONE_DEFAULT_REGION` (default `BR`).
    package init(environment: Environment) {
        self.init(defaultRegion: environment.get("PHONE_DEFAULT_REGION", default: "BR"))
    }

    /// Loads libphonenumber's metadata now rather than on the first request.
    package static func warmUp() {
        cpn_warm_up()
    }

    /// libphonenumber's own answer for `input` under the default region: its E.164 form when it
    /// calls the number valid, else nil. The reference the normalizer is tested against.
    package func referenceE164(_ input: String) -> String? {
        let result = cpn_parse(input, defaultRegion)
        guard result.parsed == 1, result.is_valid == 1 else { return nil }
        return Self.e164(of: result)
    }

    /// The number in `input`, or nil when it is not a phone number. Normalizing the answer's
    /// E.164 form again gives the same answer.
    package func normalize(_ input: String) -> PhoneNumber? {
        guard let candidate = Self.extractDialString(input) else { return nil }
        if let number = BrazilianFastPath.recognize(candidate.digits, hasPlus: candidate.hasPlus, defaultRegion: defaultRegion) {
            return number  // already in the form it reads back as
        }
        return read(candidate).flatMap(settled)
    }

    /// The form of `number` that reads back as itself. libphonenumber's E.164 output does not
    /// always: it drops a trunk prefix written after the country code (`+43 0 7000` → `+437000`,
    /// too short to be read again; `+55 0 16 8649-1492` → `+551686491492`, which reads as the
    /// legacy mobile `+5516986491492`) and rewrites old mobile prefixes (`+52 1 …` → `+52 …`).
    /// One more reading settles it; an answer that keeps changing is not a number.
    private func settled(_ number: PhoneNumber) -> PhoneNumber? {
        var current = number
        for _ in 0..<2 {
            guard let candidate = Self.extractDialString(current.e164) else { return nil }
            guard let again = BrazilianFastPath.recognize(candidate.digits, hasPlus: true, defaultRegion: defaultRegion) ?? read(candidate)
            else { return nil }
            if again.e164 == current.e164 { return current }
            current = again
        }
        return nil
    }

    /// `normalize` after the fast path, before settling.
    private func read(_ candidate: (digits: String, hasPlus: Bool)) -> PhoneNumber? {
        if candidate.hasPlus {
            return international(candidate.digits)
        }
        let digits = candidate.digits
        if digits.hasPrefix("00") {
            // 00 + country code, or (Brazil) 00 + carrier code + country code.
            let rest = String(digits.dropFirst(2))
            if let number = international(rest, strict: true) { return number }
            if defaultRegion == "BR", rest.count > 2, let number = international(String(rest.dropFirst(2)), strict: true) {
                return number
            }
            // An exit code is a written `+`: a number libphonenumber's metadata does not know yet
            // (a plan changed after it was made) is taken as possible, as after a `+`.
            return international(rest)
        }
        if let number = national(digits) { return number }
        if digits.hasPrefix("011") {
            let rest = String(digits.dropFirst(3))
            return international(rest, strict: true) ?? international(digits, strict: true) ?? international(rest)
        }
        return international(digits, strict: true)
    }

    /// Digits and whether a `+` led them, after removing prefixes, JID suffixes and separators;
    /// nil for anything that cannot be a number.
    static func extractDialString(_ input: String) -> (digits: String, hasPlus: Bool)? {
        // Unicode scalars with integer indices, not Characters or String indices: this runs on
        // every request, and grapheme breaking or index validation cost more than the rest of
        // it. ASCII input (nearly all) is read straight from its UTF-8 bytes.
        var input = input
        if let ascii = input.withUTF8({ utf8 in
            utf8.allSatisfy { $0 < 0x80 } ? extractDialString(scalars: utf8.lazy.map { Unicode.Scalar($0) }) : nil
        }) {
            return ascii
        }
        guard input.utf8.contains(where: { $0 >= 0x80 }), let plain = PastedText.plainScalars(input) else { return nil }
        return extractDialString(scalars: plain)
    }

    private static func extractDialString<Scalars: RandomAccessCollection<Unicode.Scalar>>(
        scalars: Scalars
    ) -> (digits: String, hasPlus: Bool)? where Scalars.Index == Int {
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, Self.isWhitespace(scalars[start]) { start += 1 }
        while end > start, Self.isWhitespace(scalars[end - 1]) { end -= 1 }
        if start < end, !("0"..."9").contains(scalars[start]), scalars[start] != "+" {
            for prefix in Self.prefixes where Self.hasPrefixIgnoringCase(scalars[start..<end], prefix) {
                start += prefix.count
                break
            }
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        if let at = scalars[start..<end].firstIndex(of: "@") {
            var domain = String.UnicodeScalarView()
            for scalar in scalars[(at + 1)..<end] { domain.append(scalar) }
            guard ["s.whatsapp.net", "c.us"].contains(String(domain).lowercased()) else { return nil }
            for scalar in scalars[start..<at] {
                if scalar == ":" || scalar == "_" { break }
                guard ("0"..."9").contains(scalar) else { return nil }
                digits.append(UInt8(scalar.value))
            }
            guard !digits.isEmpty else { return nil }
            // A WhatsApp JID always carries the country code: it is an international number.
            return (String(decoding: digits, as: UTF8.self), true)
        }
        var hasPlus = false
        var carrierPlaceholder = false
        var index = start
        while index < end {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "0"..."9":
                digits.append(UInt8(scalar.value))
                if digits.count > 17 { return nil }
            case "+":
                // A plus is only meaningful before the first digit.
                guard digits.isEmpty, !hasPlus else { return nil }
                hasPlus = true
            case "x", "X":
                // `0xx`: the printed placeholder for a carrier code, right after the trunk 0
                // (`(0xx11) 8765-4321`). The digits after it are a national number.
                guard !hasPlus, !carrierPlaceholder, digits == [UInt8(ascii: "0")], index < end,
                    scalars[index] == "x" || scalars[index] == "X"
                else { return nil }
                carrierPlaceholder = true
                index += 1
            case "-", ".", "(", ")", "/", "\u{00A0}", "\u{2009}", "\u{202F}":
                continue
            default:
                guard Self.isWhitespace(scalar) else { return nil }
            }
        }
        guard digits.count >= 6 else { return nil }
        return (String(decoding: digits, as: UTF8.self), hasPlus)
    }

    private static let prefixes: [[Unicode.Scalar]] = ["whatsapp:", "tel:", "wa:"].map { Array($0.unicodeScalars) }

    /// Unicode whitespace; ASCII answered without the property tables.
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar == " " || ("\t"..."\r").contains(scalar) }
        return scalar.properties.isWhitespace
    }

    private static func hasPrefixIgnoringCase<Scalars: Collection<Unicode.Scalar>>(
        _ scalars: Scalars, _ prefix: [Unicode.Scalar]
    ) -> Bool {
        guard scalars.count >= prefix.count else { return false }
        return zip(scalars, prefix).allSatisfy { scalar, expected in
            (("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar) == expected
        }
    }

    /// `digits` read as an international number (country code first).
    private func international(_ digits: String, strict: Bool = false) -> PhoneNumber? {
        guard (7...15).contains(digits.count) else { return nil }
        let result = cpn_parse("+" + digits, "ZZ")
        guard result.parsed == 1 else { return nil }
        if let legacy = Self.legacyBrazilianMobile(result) { return legacy }
        if result.is_valid == 1 { return Self.make(result) }
        if !strict, result.is_possible == 1 { return Self.make(result, kind: .other) }
        return nil
    }

    /// `digits` read as a national number of the default region (libphonenumber strips the
    /// trunk prefix and, for Brazil, a carrier code).
    private func national(_ digits: String) -> PhoneNumber? {
        let result = cpn_parse(digits, defaultRegion)
        guard result.parsed == 1 else { return nil }
        if let legacy = Self.legacyBrazilianMobile(result) { return legacy }
        guard result.is_valid == 1 else { return nil }
        return Self.make(result)
    }

    /// A Brazilian number libphonenumber read as area code + 8 digits beginning 6–9: the legacy
    /// form of a mobile, answered in its canonical 9-digit form, whether or not libphonenumber
    /// calls the 8-digit form valid (`BrazilianNinthDigit`).
    private static func legacyBrazilianMobile(_ result: cpn_result) -> PhoneNumber? {
        guard result.country_code == 55 else { return nil }
        let e164 = e164(of: result)
        guard let modern = BrazilianNinthDigit.modernForm(ofLegacy: e164.utf8.dropFirst(3)) else { return nil }
        return PhoneNumber(e164: "+55" + String(decoding: modern, as: UTF8.self), countryCode: 55, kind: .legacyMobile)
    }

    private static func e164(of result: cpn_result) -> String {
        withUnsafeBytes(of: result.e164) { buffer in
            String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func make(_ result: cpn_result, kind: PhoneNumber.Kind? = nil) -> PhoneNumber {
        let resolvedKind: PhoneNumber.Kind
        if let kind {
            resolvedKind = kind
        } else {
            // libphonenumber PhoneNumberType: 0 FIXED_LINE, 1 MOBILE, 2 FIXED_LINE_OR_MOBILE.
            switch result.number_type {
            case 1, 2: resolvedKind = .mobile
            case 0: resolvedKind = .fixedLine
            default: resolvedKind = .other
            }
        }
        return PhoneNumber(e164: e164(of: result), countryCode: Int(result.country_code), kind: resolvedKind)
    }
}
