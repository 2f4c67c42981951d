import ArgumentParser
import Shared

/// `userbuckets normalize`: numbers one per line on stdin, one JSON object per line out.
struct NormalizeCommand: ParsableCommand {
    @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
    var json = false

    static let configuration = CommandConfiguration(
        commandName: "normalize",
        abstract: "Normalize phone numbers read one per line from standard input.",
        discussion: """
            Writes one JSON object per input line: {"input":…,"normalizedNumber":"+…"|null,"variants":[…]}.
            variants lists every E.164 form that is the same person (the canonical one first); it is
            empty when the input is not a phone number.
            """)

    @Option(help: "ISO 3166 region for numbers without a country code.")
    var region = Environment.process().get("PHONE_DEFAULT_REGION", default: "BR")

    func run() throws {
        let normalizer = PhoneNormalizer(defaultRegion: region)
        PhoneNormalizer.warmUp()
        var output = ""
        while let line = readLine(strippingNewline: true) {
            let number = normalizer.normalize(line)
            output += JSON.object([
                "input": .string(line),
                "normalizedNumber": number.map { .string($0.e164) } ?? .null,
                "variants": .array((number?.variants ?? []).map(JSON.string)),
            ]).serialized()
            output += "\n"
            if output.utf8.count > 1 << 16 {
                print(output, terminator: "")
                output = ""
            }
        }
        print(output, terminator: "")
    }
}
