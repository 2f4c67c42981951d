/// `GET /functions/v1/_health`: whether this host can serve — the database and the storage
/// reachable, each pool's live workers against its configured size — with the version and the
/// answering worker's uptime. 200 when all is well, 503 otherwise. Any pool answers it (nginx
/// falls back from one pool to the next), so it answers with a pool down.
package struct Health {
    /// The pools of a host and their configured sizes: `UB_WORKERS` each (`UB_JOB_WORKERS` for
    /// the job workers; `UB_WORKERS_<FUNCTION>`, e.g. `UB_WORKERS_CHATWOOT_WEBHOOK`, for a pool
    /// sized apart).
    package static func configuredPools(environment: Environment) -> [String: Int] {
        var pools: [String: Int] = [:]
        let workers = (try? environment.integer("UB_WORKERS", default: 6)) ?? 6
        for function in ["user-bucket-service", "create-user-bucket", "chatwoot-webhook", "knowledge-base-storage"] {
            let own = "UB_WORKERS_" + function.uppercased().replacing("-", with: "_")
            pools[function] = (try? environment.integer(own, default: workers)) ?? workers
        }
        pools["job-worker"] = (try? environment.integer("UB_JOB_WORKERS", default: 1)) ?? 1
        return pools
    }

    /// The scrape's gauges of what runs: `userbuckets_build_info` and each pool's live and
    /// configured workers on this host.
    package static func gauges(pools: [String: Int], backend: String) -> String {
        let live = Metrics.shared.liveProcesses()
        var text = "# HELP userbuckets_build_info The version and storage backend running.\n# TYPE userbuckets_build_info gauge\n"
        text += "userbuckets_build_info{version=\"\(BuildInfo.version)\",backend=\"\(backend)\"} 1\n"
        text += "# HELP userbuckets_workers_up Worker processes of each pool alive on this host.\n# TYPE userbuckets_workers_up gauge\n"
        for name in pools.keys.sorted() { text += "userbuckets_workers_up{pool=\"\(name)\"} \(live[name] ?? 0)\n" }
        text += "# HELP userbuckets_workers_configured Worker processes each pool is configured to keep.\n"
        text += "# TYPE userbuckets_workers_configured gauge\n"
        for name in pools.keys.sorted() { text += "userbuckets_workers_configured{pool=\"\(name)\"} \(pools[name]!)\n" }
        return text
    }

    /// Checks the database and the storage through `core` (a cheap read of each).
    package static func response(core: CoreServices, pools: [String: Int], storageName: String) -> Response {
        let database = (try? core.jobs.countsByStatus()) != nil
        let storage = (try? core.storage.bucketExists(BucketName("userbuckets-health-probe")!)) != nil
        let live = Metrics.shared.liveProcesses()
        var poolsJSON = JSONObject()
        var poolsOK = true
        for name in pools.keys.sorted() {
            let configured = pools[name]!
            let up = live[name] ?? 0
            if configured > 0 && up < configured { poolsOK = false }
            poolsJSON[name] = .object(["live": .integer(up), "configured": .integer(configured), "ok": .bool(configured == 0 || up >= configured)])
        }
        let healthy = database && storage && poolsOK
        return .json(
            .object([
                "status": .string(healthy ? "ok" : "degraded"), "database": .object(["reachable": .bool(database)]),
                "storage": .object(["backend": .string(storageName), "reachable": .bool(storage)]), "pools": .object(poolsJSON),
                "version": .string(BuildInfo.version), "uptimeSeconds": .integer(BuildInfo.uptimeSeconds),
            ]), status: healthy ? .ok : .serviceUnavailable)
    }
}
