import ArgumentParser
import Foundation
import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// `userbuckets object …`: objects in the configured storage backend, for operators and for
/// scripts (uploads stream from a file or standard input, downloads to standard output).
struct ObjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "object",
        abstract: "Put, get, list, delete objects and make download links in the configured storage (STORAGE_BACKEND).",
        subcommands: [Put.self, Get.self, List.self, Delete.self, URL.self, LoadTest.self])

    struct Location: ParsableArguments {
        @Argument(help: "The bucket.")
        var bucket: String

        @Argument(help: "The object's name.")
        var name: String

        func validated() throws -> (BucketName, ObjectName) {
            guard let bucket = BucketName(bucket) else { throw ValidationError("not a valid bucket name: \(bucket)") }
            guard let name = ObjectName(name) else { throw ValidationError("not a valid object name: \(name)") }
            return (bucket, name)
        }
    }

    struct Put: ParsableCommand {
        @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
        var json = false

        static let configuration = CommandConfiguration(abstract: "Store an object from a file (or standard input).")

        @OptionGroup var location: Location

        @Option(help: "Read from this file instead of standard input.")
        var file: String?

        @Option(help: "The object's media type.")
        var contentType = "application/octet-stream"

        @Flag(help: "Refuse to replace an existing object (it is then reported, not written).")
        var createOnly = false

        func run() throws {
            let (bucket, name) = try location.validated()
            let storage = try StorageBackend.live(environment: Environment.process())
            let source: any ByteSource = try file.map { try FileByteSource(path: $0) } ?? FileByteSource(borrowing: 0)
            let result = try storage.putObject(name, in: bucket, contentType: contentType, from: source, ifAbsent: createOnly)
            switch result {
            case .stored(let object):
                print(JSON.object(["stored": .bool(true), "name": .string(object.name), "size": .integer(object.size)]).serialized())
            case .alreadyStored:
                print(JSON.object(["stored": .bool(false), "name": .string(name.value), "reason": .string("already stored")]).serialized())
            }
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write an object to standard output.")

        @OptionGroup var location: Location

        func run() throws {
            let (bucket, name) = try location.validated()
            let storage = try StorageBackend.live(environment: Environment.process())
            let found = try storage.readObject(name, in: bucket) { bytes in
                guard POSIX.writeAll(1, bytes) else { throw FileIO.Error(operation: "write", path: "standard output", code: errno) }
            }
            if found == nil { throw ValidationError("no such object: \(bucket.value)/\(name.value)") }
        }
    }

    struct List: ParsableCommand {
        @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
        var json = false

        static let configuration = CommandConfiguration(abstract: "List objects, one JSON line each.")

        @Argument(help: "The bucket.")
        var bucket: String

        @Option(help: "Only names starting with this.")
        var prefix = ""

        func run() throws {
            guard let bucket = BucketName(bucket) else { throw ValidationError("not a valid bucket name: \(bucket)") }
            let storage = try StorageBackend.live(environment: Environment.process())
            var token: String?
            repeat {
                let page = try storage.listObjects(in: bucket, prefix: prefix, pageToken: token, maxResults: 1000)
                for object in page.objects {
                    print(
                        JSON.object([
                            "name": .string(object.name), "size": .integer(object.size), "contentType": object.contentType.map(JSON.string),
                        ]).serialized())
                }
                token = page.nextPageToken
            } while token != nil
        }
    }

    struct Delete: ParsableCommand {
        @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
        var json = false

        static let configuration = CommandConfiguration(abstract: "Delete an object (a missing one is not an error).")

        @OptionGroup var location: Location

        func run() throws {
            let (bucket, name) = try location.validated()
            let deleted = try StorageBackend.live(environment: Environment.process()).deleteObject(name, in: bucket)
            print(JSON.object(["deleted": .bool(deleted), "name": .string(name.value)]).serialized())
        }
    }

    struct URL: ParsableCommand {
        @Flag(help: "Print {\"url\": …} instead of the bare link.")
        var json = false

        static let configuration = CommandConfiguration(abstract: "Print a download link that expires (GCS: a V4 signed URL).")

        @OptionGroup var location: Location

        @Option(help: "Seconds the link lasts (1 to 604800).")
        var expiresIn = 300

        func run() throws {
            let (bucket, name) = try location.validated()
            guard let url = try StorageBackend.live(environment: Environment.process()).downloadURL(for: name, in: bucket, expiresIn: expiresIn)
            else { throw ValidationError("this storage backend has no download links") }
            print(json ? JSON.object(["url": .string(url), "expiresIn": .integer(expiresIn)]).serialized() : url)
        }
    }
}

extension ObjectCommand {
    /// `userbuckets object load-test`: create-only uploads from several threads (each with its
    /// own storage client, like serving workers), timed.
    struct LoadTest: ParsableCommand {
        @Flag(help: "JSON output (always: the flag is accepted so every command takes it).")
        var json = false

        static let configuration = CommandConfiguration(
            commandName: "load-test",
            abstract: "Time create-only uploads of same-sized objects into a bucket (created if missing); prints one JSON line.")

        @Argument(help: "The bucket.")
        var bucket: String

        @Option(help: "Bytes per object.")
        var size = 1024

        @Option(help: "Objects in all.")
        var count = 1000

        @Option(help: "Uploading threads.")
        var threads = 4

        func run() throws {
            guard let bucket = BucketName(bucket) else { throw ValidationError("not a valid bucket name: \(bucket)") }
            let environment = Environment.process()
            _ = try StorageBackend.live(environment: environment).createBucket(bucket)
            let run = String(UInt64.random(in: 0...UInt64.max), radix: 16)
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let results = LoadTestResults()
            let started = MonotonicClock.milliseconds()
            for thread in 0..<threads {
                let worker = Thread {
                    guard let storage = try? StorageBackend.live(environment: environment) else {
                        results.record(error: "cannot build the storage client")
                        return
                    }
                    for index in stride(from: thread, to: count, by: threads) {
                        let name = ObjectName("load-test/\(run)/\(index).bin")!
                        let begin = MonotonicClock.milliseconds()
                        do {
                            let result = try storage.putObject(
                                name, in: bucket, contentType: "application/octet-stream", data: payload, ifAbsent: true)
                            if case .stored = result {
                                results.record(milliseconds: MonotonicClock.milliseconds() - begin)
                            } else {
                                results.record(error: "already stored")
                            }
                        } catch {
                            results.record(error: "\(error)")
                        }
                    }
                }
                worker.start()
            }
            results.waitForAll(count, progress: Progress("uploads"))
            let seconds = Double(MonotonicClock.milliseconds() - started) / 1000
            let summary = results.summary()
            print(
                JSON.object([
                    "objects": .integer(summary.latencies.count), "bytesEach": .integer(size), "threads": .integer(threads),
                    "seconds": .number(String(format: "%.2f", seconds)),
                    "objectsPerSecond": .number(String(format: "%.1f", Double(summary.latencies.count) / seconds)),
                    "p50Ms": .number(String(format: "%.1f", summary.percentile(0.5))),
                    "p99Ms": .number(String(format: "%.1f", summary.percentile(0.99))), "errors": .integer(summary.errors.count),
                    "firstError": summary.errors.first.map(JSON.string),
                ]).serialized())
            if !summary.errors.isEmpty { throw ExitCode(1) }
        }
    }
}
