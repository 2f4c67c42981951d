import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Shared

#if canImport(Glibc)
    import Glibc
#endif

/// The filesystem backend's objects: atomic, create-only for real, confined to their bucket.
@Suite final class FileSystemObjectStorageTests {
    let root: String
    let storage: FileSystemObjectStorage
    let bucket = BucketName("ub-fs-test")!

    init() throws {
        root = makeTemporaryDirectory(prefix: "ub-fs")
        storage = try FileSystemObjectStorage(root: root)
        _ = try storage.createBucket(bucket)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func read(_ name: String) throws -> [UInt8]? {
        var bytes: [UInt8] = []
        let found = try storage.readObject(ObjectName(name)!, in: bucket) { bytes.append(contentsOf: $0) }
        return found == nil ? nil : bytes
    }

    @Test func createOnlyWritesRefuseToReplaceAndOverwritesReplace() throws {
        let name = ObjectName("notes/2026/a.json")!
        #expect(
            try storage.putObject(name, in: bucket, contentType: "application/json", data: [1, 2, 3], ifAbsent: true)
                == .stored(StoredObject(name: name.value, size: 3, contentType: "application/json")))
        #expect(try storage.putObject(name, in: bucket, contentType: "application/json", data: [9], ifAbsent: true) == .alreadyStored)
        #expect(try read(name.value) == [1, 2, 3])
        _ = try storage.putObject(name, in: bucket, contentType: "application/json", data: [7, 7], ifAbsent: false)
        #expect(try read(name.value) == [7, 7])
        #expect(try FileIO.list(directory: root + "/.tmp").isEmpty)
    }

    @Test func concurrentCreateOnlyWritesStoreExactlyOne() throws {
        let stored = Atomic<Int>(0)
        let storage = self.storage
        let bucket = self.bucket
        runConcurrently(16) { index in
            let result = try? storage.putObject(
                ObjectName("race.bin")!, in: bucket, contentType: "application/octet-stream", data: [UInt8(index)], ifAbsent: true)
            if case .stored = result { stored.add(1, ordering: .relaxed) }
        }
        #expect(stored.load(ordering: .relaxed) == 1)
        #expect(try read("race.bin")?.count == 1)
    }

    @Test func listsByPrefixAndPageAndDeletes() throws {
        for name in ["kb/b.txt", "kb/a.txt", "kb/sub/c.txt", "x.txt"] {
            _ = try storage.putObject(ObjectName(name)!, in: bucket, contentType: "text/plain", data: Array(name.utf8), ifAbsent: true)
        }
        let first = try storage.listObjects(in: bucket, prefix: "kb/", pageToken: nil, maxResults: 2)
        #expect(first.objects.map(\.name) == ["kb/a.txt", "kb/b.txt"])
        let second = try storage.listObjects(in: bucket, prefix: "kb/", pageToken: first.nextPageToken, maxResults: 2)
        #expect(second.objects.map(\.name) == ["kb/sub/c.txt"])
        #expect(second.nextPageToken == nil)
        #expect(try storage.deleteObject(ObjectName("kb/a.txt")!, in: bucket))
        #expect(try !storage.deleteObject(ObjectName("kb/a.txt")!, in: bucket))
        #expect(try read("kb/a.txt") == nil)
        #expect(try read("kb") == nil)  // a directory is not an object
    }

    @Test func streamsFromASourceWithoutAKnownSize() throws {
        var pipeFDs: [Int32] = [0, 0]
        #expect(pipe(&pipeFDs) == 0)
        let payload = (0..<300_000).map { UInt8(truncatingIfNeeded: $0) }
        let (readEnd, writeEnd) = (pipeFDs[0], pipeFDs[1])
        let writer = Thread {
            payload.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count { offset += write(writeEnd, bytes.baseAddress! + offset, bytes.count - offset) }
            }
            close(writeEnd)
        }
        writer.start()
        let result = try storage.putObject(
            ObjectName("piped.bin")!, in: bucket, contentType: "application/octet-stream", from: FileByteSource(borrowing: readEnd),
            ifAbsent: true)
        close(readEnd)
        #expect(result == .stored(StoredObject(name: "piped.bin", size: payload.count, contentType: "application/octet-stream")))
        #expect(try read("piped.bin") == payload)
    }

    @Test func aBucketIsDeletedOnlyOnceItHoldsNoObject() throws {
        _ = try storage.putObject(ObjectName("a/b/c.json")!, in: bucket, contentType: "application/json", data: [1], ifAbsent: true)
        _ = try storage.putObject(ObjectName("a/d.json")!, in: bucket, contentType: "application/json", data: [2], ifAbsent: true)
        #expect(try storage.deleteBucket(bucket) == .notEmpty)
        #expect(try read("a/b/c.json") == [1])
        #expect(try storage.deleteObject(ObjectName("a/b/c.json")!, in: bucket))
        #expect(try storage.deleteBucket(bucket) == .notEmpty)  // a/d.json is still there
        #expect(try read("a/d.json") == [2])
        #expect(try storage.deleteObject(ObjectName("a/d.json")!, in: bucket))
        // Only empty folders are left.
        #expect(try storage.deleteBucket(bucket) == .deleted)
        #expect(try !storage.bucketExists(bucket))
        #expect(try storage.deleteBucket(bucket) == .notFound)
    }

    @Test func namesCannotLeaveTheirBucket() {
        for bad in ["", "../x", "a/../../b", "/etc/passwd", "a//b", "a/./b", "nul\u{0}", "line\nbreak", String(repeating: "a", count: 1025)] {
            #expect(ObjectName(bad) == nil, "\(bad.debugDescription)")
        }
        #expect(ObjectName("knowledge-base/2026-11-25/1732_report (final).pdf") != nil)
        #expect(ObjectName("a b/c&d.txt")!.percentEncoded == "a%20b%2Fc%26d.txt")
    }

    @Test func aMissingBucketIsNotFound() {
        #expect(throws: StorageError.self) {
            try storage.putObject(ObjectName("a")!, in: BucketName("ub-missing")!, contentType: "x/y", data: [1], ifAbsent: true)
        }
    }
}
