import ArgumentParser
import Logging
import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// `userbuckets merges`: contact buckets and their merges into users' buckets, for operators.
struct MergesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merges", abstract: "List contact buckets and their merges, run merges now, or retry failed ones.",
        subcommands: [List.self, Run.self, Retry.self], defaultSubcommand: List.self)

    static func line(_ contact: ContactBucket) -> String {
        JSON.object([
            "contactId": .string(contact.displayID), "bucketName": .string(contact.bucket), "state": .string(contact.state.rawValue),
            "targetBucket": contact.targetBucket.map(JSON.string) ?? .null, "mergedUserId": contact.mergedUser.map { .string($0.value) } ?? .null,
            "objectsMoved": .integer(contact.objectsMoved), "job": contact.jobStatus.map(JSON.string) ?? .null,
            "jobError": contact.jobError.map(JSON.string) ?? .null, "note": contact.note.map(JSON.string) ?? .null,
            "updatedAt": contact.updatedAt.map(JSON.string) ?? .null,
        ]).serialized()
    }

    /// The contacts a run or a retry acts on: those named (a contact bucket's name read as its
    /// contact's id: a masked id is named by its bucket), or with no names every contact whose
    /// merge job is in `jobStatus`. One listing of the contact buckets either way.
    static func contacts(named names: [String], orAllWithJob jobStatus: String, in store: any ContactMergeStore) throws -> [String] {
        let all = try store.list(state: nil, limit: Int(Int32.max))
        guard !names.isEmpty else { return all.filter { $0.jobStatus == jobStatus }.map(\.contactID) }
        let byBucket = Dictionary(all.map { ($0.bucket, $0.contactID) }, uniquingKeysWith: { first, _ in first })
        return names.map { byBucket[$0] ?? $0 }
    }

    struct List: ParsableCommand {
        @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
        var json = false

        static let configuration = CommandConfiguration(abstract: "One JSON line per contact bucket, latest change first (no numbers).")

        @Option(help: "open, merging, merged or ambiguous (default: all).")
        var state: String?

        @Option(help: "At most this many.")
        var limit = 100

        func run() throws {
            var wanted: ContactBucket.State?
            if let state {
                guard let parsed = ContactBucket.State(rawValue: state) else { throw ValidationError("unknown state \(state)") }
                wanted = parsed
            }
            let core = try CoreServices.live(environment: Environment.process(), authenticator: .refusingAll)
            for contact in try core.merges.list(state: wanted, limit: limit) { print(MergesCommand.line(contact)) }
        }
    }

    struct Run: ParsableCommand {
        @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
        var json = false

        static let configuration = CommandConfiguration(
            abstract: "Merge these contacts' buckets now (or every queued merge with --queued), one JSON line each.",
            discussion: "A merge a job worker is running is left to it. Failed merges run again with `merges retry`.")

        @Argument(help: "Contact ids or contact bucket names (as `merges list` shows them).")
        var contactIDs: [String] = []

        @Flag(help: "Every merge waiting in the queue.")
        var queued = false

        func validate() throws {
            if contactIDs.isEmpty == !queued { throw ValidationError("give contact ids or --queued (not both)") }
        }

        func run() throws {
            let environment = Environment.process()
            let core = try CoreServices.live(environment: environment, authenticator: .refusingAll)
            var logger = Logger.json(label: "userbuckets", environment: environment)
            logger[metadataKey: LogKey.function] = "cli"
            let runner = try ContactMergeRunner(core: core, environment: environment, logger: logger)
            let contacts = try MergesCommand.contacts(named: contactIDs, orAllWithJob: "queued", in: core.merges)
            var failures = 0
            for contactID in contacts {
                if !queued {
                    guard try core.merges.contact(contactID) != nil else {
                        print(JSON.object(["contactId": .string(contactID), "outcome": .string("no such contact bucket")]).serialized())
                        failures += 1
                        continue
                    }
                    try core.merges.requestMerge(contactID)
                }
                guard
                    let job = try core.jobs.claim(
                        dedupeKey: ContactMergeJob.dedupeKey(contactID: contactID), workerID: "cli:\(getpid())", leaseSeconds: 3600)
                else {
                    print(JSON.object(["contactId": .string(contactID), "outcome": .string("running in a job worker")]).serialized())
                    continue
                }
                let outcome = runner.run(job)
                let label = try core.jobs.record(outcome, of: job)
                var line = JSONObject()
                line["contactId"] = .string(contactID)
                line["outcome"] = .string(label)
                switch outcome {
                case .done(let result), .skipped(let result): line["result"] = result
                case .retry(let reason, _), .fail(let reason):
                    line["error"] = .string(reason)
                    failures += 1
                }
                print(JSON.object(line).serialized())
            }
            if failures > 0 { throw ExitCode.failure }
        }
    }

    struct Retry: ParsableCommand {
        @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
        var json = false

        static let configuration = CommandConfiguration(abstract: "Put failed merges back in the queue: these contacts', or all with --failed.")

        @Argument(help: "Contact ids or contact bucket names.")
        var contactIDs: [String] = []

        @Flag(help: "Every failed merge.")
        var failed = false

        func validate() throws {
            if contactIDs.isEmpty == !failed { throw ValidationError("give contact ids or --failed (not both)") }
        }

        func run() throws {
            let core = try CoreServices.live(environment: Environment.process(), authenticator: .refusingAll)
            let contacts = try MergesCommand.contacts(named: contactIDs, orAllWithJob: "failed", in: core.merges)
            let count = try core.jobs.requeue(dedupeKeys: contacts.map { ContactMergeJob.dedupeKey(contactID: $0) })
            print(JSON.object(["requeued": .integer(count)]).serialized())
        }
    }
}
