/// A counter with one varying label (`outcome="…"`), its series resolved to slots once per
/// label value: counting is an atomic add, not a name built and hashed. One per serving thread
/// (not thread-safe).
package final class CounterFamily {
    private let prefix: String
    private var slots: [String: Int] = [:]
    /// The last value counted and its slot: most calls repeat it (no hashing then).
    private var last: (value: String, slot: Int)?

    /// - Parameter prefix: the series up to the varying value, e.g.
    ///   `userbuckets_identifications_total{outcome="`.
    package init(prefix: String) {
        self.prefix = prefix
    }

    package func increment(_ value: String) {
        if let last, last.value == value {
            Metrics.shared.add(slot: last.slot)
        } else if let slot = slots[value] {
            last = (value, slot)
            Metrics.shared.add(slot: slot)
        } else if let slot = Metrics.shared.slot(prefix + value + "\"}") {
            slots[value] = slot
            last = (value, slot)
            Metrics.shared.add(slot: slot)
        }
    }
}
