/// Bytes read in pieces: what a streamed upload reads from (a file, a pipe, memory).
package protocol ByteSource: AnyObject {
    /// Fills the start of `buffer`; returns how many bytes it wrote, 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileIO.Error) -> Int

    /// How many bytes are left, when the source knows (memory does; a pipe does not).
    var remainingCount: Int? { get }
}

extension ByteSource {
    package var remainingCount: Int? { nil }
}

extension ByteSource {
    /// Reads until `buffer` is full or the source ends (pipes return short reads).
    package func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(FileIO.Error) -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if count == 0 { break }
            filled += count
        }
        return filled
    }
}

/// A `ByteSource` over bytes in memory.
package final class MemoryByteSource: ByteSource {
    private let bytes: ArraySlice<UInt8>
    private var offset: Int

    /// Reads `bytes` (a slice: no copy of a larger buffer).
    package init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.offset = bytes.startIndex
    }

    package convenience init(_ bytes: [UInt8]) {
        self.init(bytes[...])
    }

    package var remainingCount: Int? { bytes.endIndex - offset }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileIO.Error) -> Int {
        let count = min(buffer.count, bytes.endIndex - offset)
        bytes.withUnsafeBytes { source in
            let start = offset - bytes.startIndex
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start..<(start + count)]))
        }
        offset += count
        return count
    }
}
