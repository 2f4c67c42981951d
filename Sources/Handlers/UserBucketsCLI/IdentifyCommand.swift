import ArgumentParser
import Logging
import Shared

/// `userbuckets identify <number>`: who has this number, and their bucket.
struct IdentifyCommand: ParsableCommand {
    @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
    var json = false

    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Identify the user of a phone number and ensure their bucket.",
        discussion: "Uses DATABASE_URL, STORAGE_BACKEND, STORAGE_DIR and GCS_BUCKET_PREFIX like the functions do.")

    @Argument(help: "The phone number, in any format.")
    var number: String

    @Option(help: "The Chatwoot contact id (contact_<id>_account_<id>), for the meeting-notes step.")
    var contactID: String?

    func run() throws {
        let environment = Environment.process()
        let core = try CoreServices.live(environment: environment, authenticator: .refusingAll)
        let logger = Logger.json(label: "userbuckets", environment: environment)
        guard let phone = core.normalizer.normalize(number) else {
            print(JSON.object(["input": .string(number), "error": .string("not a phone number")]).serialized())
            throw ExitCode.failure
        }
        let identification = try core.identifier.identify(number: phone, contactID: contactID, logger: logger)
        var result = JSONObject()
        result["normalizedNumber"] = .string(phone.e164)
        result["outcome"] = .string(identification.outcome)
        // A user's bucket only: the CLI makes no contact buckets.
        if identification.candidate != nil, let found = try core.provisioner.ensureBucket(after: identification, contactID: nil) {
            result["userId"] = found.userID.map { .string($0.value) } ?? .null
            result["bucketName"] = .string(found.bucket.name.value)
            result["isNewBucket"] = .bool(found.bucket.isNew)
        } else {
            result["userId"] = .null
        }
        print(JSON.object(result).serialized())
        if identification.candidate == nil { throw ExitCode(2) }
    }
}
