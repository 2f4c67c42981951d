extension JSONParser {
    /// Limits that keep a hostile body from costing more than it should: each is reached in
    /// time and memory linear in the bytes read so far, and answers 413 (depth, 400).
    package struct Limits: Sendable {
        package var maxDepth: Int
        package var maxKeysPerObject: Int
        package var maxElementsPerArray: Int
        /// Values of every kind in the whole document.
        package var maxValues: Int
        /// Bytes of one string (as written, escapes included), for strings kept in the tree.
        package var maxStringBytes: Int
        /// For `parseDeferringLongStrings`: strings longer than this are not kept.
        package var deferStringsLongerThan: Int?

        /// Far above any request the functions take (a Chatwoot payload has a few hundred
        /// values, a message well under a megabyte), far below what costs a worker memory.
        package static let `default` = Limits(
            maxDepth: 64, maxKeysPerObject: 1_000, maxElementsPerArray: 10_000, maxValues: 100_000, maxStringBytes: 1 << 20)

        package init(
            maxDepth: Int, maxKeysPerObject: Int = 1_000, maxElementsPerArray: Int = 10_000, maxValues: Int = 100_000,
            maxStringBytes: Int = 1 << 20, deferStringsLongerThan: Int? = nil
        ) {
            self.maxDepth = maxDepth
            self.maxKeysPerObject = maxKeysPerObject
            self.maxElementsPerArray = maxElementsPerArray
            self.maxValues = maxValues
            self.maxStringBytes = maxStringBytes
            self.deferStringsLongerThan = deferStringsLongerThan
        }
    }
}
