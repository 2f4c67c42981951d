/// The original's cleaning of extracted text (`ORIGINAL.md` §8.2): every run of whitespace one
/// space, control characters removed, trimmed; under 10 characters left, the file counts as
/// having no meaningful text and gets the original's placeholder.
package enum ExtractedText {
    package static let minimumCharacters = 10

    package static func clean(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !output.isEmpty
                continue
            }
            if scalar.properties.generalCategory == .control { continue }
            if pendingSpace {
                output.append(" ")
                pendingSpace = false
            }
            output.append(scalar)
        }
        return String(output)
    }

    package static func placeholder(fileName: String) -> String {
        "[Unable to extract meaningful content from \(fileName)]"
    }
}
