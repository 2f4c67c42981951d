import Logging
import Shared
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `job-worker`: drains the PostgreSQL job queue: audio attachments (`audio`), knowledge-file
/// text (`extract`), the processing trigger (`kb_processing`) and contact-bucket merges (`merge`). Runs beside the
/// FastCGI pools under the same supervisor; any number of them, on any number of hosts.
/// `--drain` exits once nothing is runnable (for tests and one-off runs).
enum JobWorker {
    static var stopping: Bool { ShutdownSignals.requested.load(ordering: .relaxed) }

    static func main(arguments: [String]) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let environment = Environment.process()
        var logger = Logger.json(label: "job-worker", environment: environment)
        logger[metadataKey: LogKey.function] = "job-worker"
        let drain = arguments.contains("--drain")
        Metrics.shared.start(environment: environment, name: "job-worker")
        if !drain { RestartPacer.pace(name: "job-worker", poolSizeVariable: "UB_JOB_WORKERS", environment: environment, logger: logger) }
        do {
            let core = try CoreServices.live(environment: environment, authenticator: .refusingAll)
            let queue = core.jobs
            let audio = AudioJobRunner(
                downloader: AttachmentDownloader(
                    client: CurlHTTPClient(configuration: .init(connectTimeoutMs: 10_000, totalTimeoutMs: 60_000)),
                    policy: try DownloadPolicy(environment: environment),
                    timeoutMs: try environment.integer("AUDIO_DOWNLOAD_TIMEOUT_MS", default: 60_000),
                    notFoundBackoffMs: drain ? [200, 400] : [500, 1000, 2000, 4000], chatwootBaseURL: environment.get("CHATWOOT_BASE_URL")),
                storage: core.storage, transcriber: try OpenAITranscriber.live(environment: environment),
                records: core.audioRecords)
            let runners: [String: any JobRunner] = [
                "audio": audio,
                ExtractionJob.kind: ExtractionJobRunner(
                    files: core.knowledgeFiles, storage: core.storage, jobs: queue,
                    extractor: ExtractionJobRunner.extractorPath(environment: environment),
                    budget: try ExtractionJobRunner.Budget(environment: environment),
                    processingEnabled: environment.get("KB_PROCESSING_URL") != nil),
                ContactMergeJob.kind: try ContactMergeRunner(core: core, environment: environment, logger: logger),
                ProcessingRequest.jobKind: try ProcessingTriggerRunner(
                    client: CurlHTTPClient(configuration: .init(connectTimeoutMs: 10_000, totalTimeoutMs: 60_000)), environment: environment),
            ]
            let lease = try environment.integer("UB_JOB_LEASE_SECONDS", default: 300)
            let pollMs = try environment.integer("UB_JOB_POLL_MS", default: 1000)
            let workerID = environment.get("UB_JOB_WORKER_ID") ?? "\(hostName()):\(getpid())"
            ShutdownSignals.install()
            logger.info("worker started", metadata: ["worker": .string(workerID)])
            while !stopping {
                let job: Job?
                do {
                    job = try queue.claim(workerID: workerID, leaseSeconds: lease)
                } catch {
                    logger.error("claiming a job failed", metadata: [LogKey.error: "\(error)"])
                    pause(milliseconds: max(pollMs, 1000))
                    continue
                }
                guard let job else {
                    if drain { break }
                    pause(milliseconds: pollMs)
                    continue
                }
                run(job, runner: runners[job.kind], queue: queue, logger: logger)
            }
            logger.info("worker stopped")
            exit(0)
        } catch {
            logger.critical("worker could not start", metadata: [LogKey.error: "\(error)"])
            exit(1)
        }
    }

    private static func run(_ job: Job, runner: (any JobRunner)?, queue: any JobQueue, logger: Logger) {
        let started = MonotonicClock.milliseconds()
        let outcome = runner?.run(job) ?? .fail(reason: "unknown job kind \(job.kind)")
        var metadata: Logger.Metadata = [
            "job": .stringConvertible(job.id), "kind": .string(job.kind), "attempt": .stringConvertible(job.attempts),
            LogKey.durationMs: .stringConvertible(MonotonicClock.milliseconds() - started),
        ]
        do {
            let label = try queue.record(outcome, of: job)
            metadata[LogKey.outcome] = .string(label)
            switch outcome {
            case .retry(let reason, _), .fail(let reason): metadata[LogKey.error] = .string(reason)
            case .done, .skipped: break
            }
            logger.info("job", metadata: metadata)
            let outcomeLabel = metadata[LogKey.outcome].map { "\($0)" } ?? "unknown"
            Metrics.shared.increment("userbuckets_jobs_total{kind=\"\(job.kind)\",outcome=\"\(outcomeLabel)\"}")
            Metrics.shared.observe(
                "userbuckets_job_duration_seconds", labels: "kind=\"\(job.kind)\"", seconds: Double(MonotonicClock.milliseconds() - started) / 1000)
        } catch {
            // The lease runs out and the job is claimed again.
            logger.error("recording a job's outcome failed", metadata: [LogKey.error: "\(error)", "job": .stringConvertible(job.id)])
        }
    }

    private static func pause(milliseconds: Int) {
        var remaining = milliseconds
        while remaining > 0, !stopping {
            usleep(UInt32(min(remaining, 100) * 1000))
            remaining -= 100
        }
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
