internal import CSharedMemory

#if canImport(Glibc)
    import Glibc
#endif

/// One process's counters in a memory-mapped file (`<dir>/<name>-<pid>.metrics`), owned and
/// unmapped by this class. Other processes read the file while it is written: a slot's value is
/// zeroed and its series written before the slot count that publishes it goes up.
///
/// Layout: 8 bytes slot count, then `capacity` slots of 128 bytes: series name (NUL-padded, at
/// most 119 bytes), 1 spare byte, then the value (UInt64 at offset 120). Claims are serialized by
/// `Metrics` (unchecked Sendable); values change only through atomic adds.
final class MetricsFile: @unchecked Sendable {
    static let slotSize = 128
    static let keyBytes = 119
    static let capacity = 1023
    static let fileSize = 8 + slotSize * capacity

    private let base: UnsafeMutableRawPointer
    let path: String

    /// Creates the file and maps it. A file already there with the right size is the file of an
    /// exited process that had the same pid: it is kept, and counting goes on from its values
    /// (truncating it would lower the totals, which a scraper reads as a counter reset).
    init?(path: String) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        if Int(info.st_size) != Self.fileSize {
            guard ftruncate(fd, 0) == 0, ftruncate(fd, off_t(Self.fileSize)) == 0 else { return nil }
        }
        guard let mapped = mmap(nil, Self.fileSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            return nil
        }
        base = mapped
        self.path = path
    }

    /// The series already in the file (a kept file's), by slot.
    var series: [String] {
        (0..<min(Self.capacity, count)).map { index in
            let bytes = UnsafeRawBufferPointer(start: base + 8 + index * Self.slotSize, count: Self.keyBytes)
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    deinit {
        munmap(base, Self.fileSize)
    }

    var count: Int { Int(csm_load(base.assumingMemoryBound(to: UInt64.self))) }

    /// Claims the next slot for `series` (the caller serializes claims); nil when full.
    func claim(_ series: String) -> Int? {
        let index = count
        guard index < Self.capacity, series.utf8.count <= Self.keyBytes else { return nil }
        let slot = base + 8 + index * Self.slotSize
        slot.initializeMemory(as: UInt8.self, repeating: 0, count: Self.slotSize)
        _ = series.utf8.withContiguousStorageIfAvailable { slot.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        csm_store(base.assumingMemoryBound(to: UInt64.self), UInt64(index + 1))
        return index
    }

    func add(_ value: UInt64, at index: Int) {
        csm_add((base + 8 + index * Self.slotSize + 120).assumingMemoryBound(to: UInt64.self), value)
    }

    /// Every published series and its value in the file at `path` (another process's).
    static func read(path: String) -> [(String, UInt64)] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, Int(info.st_size) >= fileSize,
            let mapped = mmap(nil, fileSize, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED
        else { return [] }
        defer { munmap(mapped, fileSize) }
        let count = min(capacity, Int(csm_load(mapped.assumingMemoryBound(to: UInt64.self))))
        return (0..<count).map { index in
            let slot = mapped + 8 + index * slotSize
            let bytes = UnsafeRawBufferPointer(start: slot, count: keyBytes)
            let name = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            return (name, csm_load((slot + 120).assumingMemoryBound(to: UInt64.self)))
        }
    }
}
