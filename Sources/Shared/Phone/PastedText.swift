internal import CPhoneNumber

/// Text as it arrives after a copy and paste, reduced to the plain characters a phone number is
/// written in: Unicode NFKC first (fullwidth digits, plus and brackets, compatibility spaces;
/// through ICU), then every decimal digit of any script as its ASCII digit, every dash and
/// minus as `-`, every space as ` `, and the invisible format characters that documents and
/// apps wrap numbers in (zero-width characters, direction marks, embeddings and isolates, the
/// byte-order mark, the soft hyphen) dropped. Anything else stays as it is, so letters still
/// make an input not a phone.
enum PastedText {
    /// Longer input is no phone number; the bound keeps the work per request small.
    static let maximumBytes = 512

    static func plainScalars(_ input: String) -> [Unicode.Scalar]? {
        var input = input
        guard
            let normalized = input.withUTF8({ utf8 -> String? in
                guard utf8.count <= maximumBytes else { return nil }
                // NFKC expands one character to at most 18.
                let capacity = utf8.count * 18
                return String(unsafeUninitializedCapacity: capacity) { output in
                    utf8.withMemoryRebound(to: CChar.self) { source in
                        output.withMemoryRebound(to: CChar.self) { target in
                            cpn_nfkc(source.baseAddress, source.count, target.baseAddress, capacity)
                        }
                    }
                }
            }), !normalized.isEmpty
        else { return nil }
        var plain: [Unicode.Scalar] = []
        plain.reserveCapacity(normalized.unicodeScalars.count)
        for scalar in normalized.unicodeScalars {
            if scalar.isASCII {
                plain.append(scalar)
                continue
            }
            let properties = scalar.properties
            switch properties.generalCategory {
            case .format:
                continue
            case .dashPunctuation:
                plain.append("-")
            case .spaceSeparator, .lineSeparator, .paragraphSeparator:
                plain.append(" ")
            case .decimalNumber:
                guard let value = properties.numericValue, (0...9).contains(value) else { return nil }
                plain.append(Unicode.Scalar(UInt8(ascii: "0") + UInt8(value)))
            default:
                plain.append(scalar == "\u{2212}" || scalar == "\u{2796}" ? "-" : scalar)
            }
        }
        return plain
    }
}
