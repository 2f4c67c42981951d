#if canImport(Glibc)
    import Glibc
#endif

/// Runs `body(i)` for i in 0..<count on that many threads at once and waits for all.
public func runConcurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    final class Work: @unchecked Sendable {
        let body: @Sendable (Int) -> Void
        let index: Int
        init(_ body: @escaping @Sendable (Int) -> Void, _ index: Int) {
            self.body = body
            self.index = index
        }
    }
    var threads: [pthread_t] = []
    for index in 0..<count {
        var thread = pthread_t()
        let work = Unmanaged.passRetained(Work(body, index)).toOpaque()
        pthread_create(
            &thread, nil,
            { pointer in
                let work = Unmanaged<Work>.fromOpaque(pointer!).takeRetainedValue()
                work.body(work.index)
                return nil
            }, work)
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}
