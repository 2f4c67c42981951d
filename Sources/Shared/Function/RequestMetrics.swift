/// One serving thread's request counters, with every series resolved to its slot once: counting
/// a request is a few atomic adds, no names built or hashed.
final class RequestMetrics {
    private let function: String
    private var statusSlots: [Int: Int] = [:]
    private let duration: Metrics.HistogramSlots

    init(function: String) {
        self.function = function
        duration = Metrics.HistogramSlots(Metrics.shared, name: "userbuckets_request_duration_seconds", labels: "function=\"\(function)\"")
    }

    /// The last status counted and its slot: nearly every answer repeats it.
    private var last: (status: Int, slot: Int)?

    func count(status: Int, seconds: Double) {
        let slot: Int?
        if let last, last.status == status {
            slot = last.slot
        } else if let known = statusSlots[status] {
            last = (status, known)
            slot = known
        } else {
            slot = Metrics.shared.slot("userbuckets_requests_total{function=\"\(function)\",status=\"\(status)\"}")
            if let slot {
                statusSlots[status] = slot
                last = (status, slot)
            }
        }
        if let slot { Metrics.shared.add(slot: slot) }
        duration.observe(Metrics.shared, seconds: seconds)
    }
}
