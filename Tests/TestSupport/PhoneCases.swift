import Foundation

/// Phone inputs as people and systems write them, with the answer each must get, made by
/// `Oracles/phone_cases.py` from libphonenumber's own metadata (Python `phonenumbers`, installed
/// by the test command). Seeded: the same seed gives the same cases.
public struct PhoneCase: Sendable {
    public let input: String
    /// The canonical E.164 form, nil for an input that is no phone number.
    public let e164: String?
    /// The matching set, canonical first.
    public let variants: [String]
    /// `mobile`, `landline`, `legacy` (Brazil), a region code, or `not_a_phone`.
    public let kind: String
    /// The shape the number was written in (`jid`, `carrier`, `0xx`, `national+pasted`, …).
    public let shape: String

    public static func generate(seed: Int, numbersPerKind: Int) throws -> [PhoneCase] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Oracles/phone_cases.py").path
        guard let pipe = popen("python3 '\(script)' --seed \(seed) --numbers \(numbersPerKind)", "r") else {
            throw Failure(description: "cannot run python3")
        }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&buffer, 1, buffer.count, pipe)
            if count == 0 { break }
            output.append(contentsOf: buffer[0..<count])
        }
        let status = pclose(pipe)
        guard status == 0 else {
            throw Failure(description: "phone_cases.py exited with \(status) (is Python's phonenumbers installed? scripts/install-deps.sh --test)")
        }
        return try output.split(separator: UInt8(ascii: "\n")).map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                let input = object["input"] as? String, let variants = object["variants"] as? [String],
                let kind = object["kind"] as? String, let shape = object["shape"] as? String
            else { throw Failure(description: "phone_cases.py printed an unreadable line") }
            return PhoneCase(input: input, e164: object["e164"] as? String, variants: variants, kind: kind, shape: shape)
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }
}
