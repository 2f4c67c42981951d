import ArgumentParser
import Shared

/// `userbuckets jobs`: the background job queue, for operators.
struct JobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List queued, running and failed jobs, or put failed ones back in the queue.",
        subcommands: [List.self, Retry.self], defaultSubcommand: List.self)

    static func queue() throws -> PostgresJobQueue {
        PostgresJobQueue(connection: PostgresConnection(configuration: try .init(environment: Environment.process())))
    }

    struct List: ParsableCommand {
        @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
        var json = false

        static let configuration = CommandConfiguration(abstract: "One JSON line per job (without its payload's URLs).")

        @Option(help: "queued, running, done, failed or skipped (default: queued, running and failed).")
        var status: String?

        @Option(help: "At most this many.")
        var limit = 100

        func run() throws {
            var wanted: Job.Status?
            if let status {
                guard let parsed = Job.Status(rawValue: status) else { throw ValidationError("unknown status \(status)") }
                wanted = parsed
            }
            for job in try JobsCommand.queue().list(status: wanted, limit: limit) {
                print(
                    JSON.object([
                        "id": .integer(Int(job.id)), "kind": .string(job.kind), "status": .string(job.status.rawValue),
                        "attempts": .integer(job.attempts), "maxAttempts": .integer(job.maxAttempts),
                        "runAt": job.runAt.map(JSON.string), "lastError": job.lastError.map(JSON.string),
                        "message": job.payload["message_id"], "attachment": job.payload["attachment_id"],
                    ]).serialized())
            }
        }
    }

    struct Retry: ParsableCommand {
        @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
        var json = false

        static let configuration = CommandConfiguration(abstract: "Requeue jobs by id, or every failed job with --failed.")

        @Argument(help: "Job ids.")
        var ids: [Int64] = []

        @Flag(help: "Requeue every failed job.")
        var failed = false

        func validate() throws {
            if ids.isEmpty == !failed { throw ValidationError("give job ids or --failed (not both)") }
        }

        func run() throws {
            let queue = try JobsCommand.queue()
            guard failed else {
                print(JSON.object(["requeued": .integer(try queue.requeue(ids: ids))]).serialized())
                return
            }
            // Every failed job, a thousand at a time (progress on a terminal); at most as many as
            // had failed when it began, so jobs failing again meanwhile cannot keep it going.
            let progress = Progress("requeued")
            let failedNow = try queue.countsByStatus()[.failed] ?? 0
            var count = 0
            while count < failedNow {
                let batch = try queue.list(status: .failed, limit: min(1000, failedNow - count)).map(\.id)
                if batch.isEmpty { break }
                count += try queue.requeue(ids: batch)
                progress.update(count, of: failedNow)
            }
            progress.finish()
            print(JSON.object(["requeued": .integer(count)]).serialized())
        }
    }
}
