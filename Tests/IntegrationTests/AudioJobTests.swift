import Foundation
import Shared
import Synchronization
import TestSupport
import Testing

/// Voice notes end to end: the webhook queues a job, `job-worker --drain` runs it against a
/// stand-in Chatwoot (a 302 to a second host, an early 404, a slow and an oversized blob) and a
/// stand-in OpenAI answering with OpenAI's recorded bodies. Each case ends in its documented
/// job state.
@Suite(.onTheStack, .serialized)
struct AudioJobTests {
    /// Ogg/Opus bytes (only the magic matters to us) of a fake voice note.
    static let voice: [UInt8] = Array("OggS".utf8) + [UInt8](repeating: 7, count: 4000)

    final class Modes: Sendable {
        let openAI = Mutex<[String]>([])  // replies in order; then "ok"
        let blobHits = Atomic<Int>(0)
    }

    let modes = Modes()
    let storageHost: LoopbackHTTPServer
    let chatwoot: LoopbackHTTPServer
    let openAI: LoopbackHTTPServer

    init() throws {
        let voice = Self.voice
        let modes = self.modes
        storageHost = LoopbackHTTPServer { _ in .init(status: 200, headers: [("Content-Type", "audio/ogg")], body: voice) }
        let storageURL = storageHost.url(host: "localhost")
        chatwoot = LoopbackHTTPServer { request in
            if request.path.hasPrefix("/blobs/redirect/") {
                return .init(status: 302, headers: [("Location", storageURL + "/disk/voice")])
            }
            if request.path.hasPrefix("/blobs/early/") {
                return modes.blobHits.add(1, ordering: .relaxed).newValue == 1
                    ? .init(status: 404) : .init(status: 200, headers: [("Content-Type", "audio/ogg")], body: voice)
            }
            if request.path.hasPrefix("/blobs/slow/") {
                return .init(status: 200, headers: [("Content-Type", "audio/ogg")], body: voice, delayMs: 1200)
            }
            if request.path.hasPrefix("/blobs/huge/") {
                return .init(status: 200, headers: [("Content-Type", "audio/ogg")], body: [UInt8](repeating: 1, count: 26 << 20))
            }
            return .init(status: 404)
        }
        let root = Fixture.path("openai/")
        let bodies = try [
            "ok": FileIO.read(path: root + "transcription_json_whisper1.json"),
            "rate": FileIO.read(path: root + "error_429_rate_limit.json"),
            "quota": FileIO.read(path: root + "error_429_insufficient_quota.json"),
            "large": FileIO.read(path: root + "error_413_too_large.json"),
        ]
        openAI = LoopbackHTTPServer { _ in
            let mode = modes.openAI.withLock { $0.isEmpty ? "ok" : $0.removeFirst() }
            switch mode {
            case "rate": return .json(429, bodies["rate"]!, headers: [("retry-after", "1")])
            case "quota": return .json(429, bodies["quota"]!)
            case "large": return .json(413, bodies["large"]!)
            case "500": return .json(500, Array(#"{"error":{"message":"boom","type":"server_error"}}"#.utf8))
            case "hang": return .init(status: 200, hang: true)
            default: return .json(200, bodies["ok"]!)
            }
        }
    }

    /// Delivers a voice note whose attachment lives at `blobPath` on the stand-in Chatwoot;
    /// returns the dedupe key of its job and the user.
    func deliverVoiceNote(blobPath: String, url: String? = nil) throws -> (job: String, user: String, messageID: Int) {
        let phone = Fixtures.randomMobile()
        let user = try Fixtures().user()
        try Fixtures().mapping(user, number: phone)
        let id = Int.random(in: 1_000_000...999_999_999)
        var text = String(
            decoding: try ChatwootWebhookTests.message("02_message_created_incoming_audio_voice_note.json", id: id, phone: phone), as: UTF8.self)
        let original = "https://chatwoot.example.com/rails/active_storage/blobs/redirect/"
        text = text.replacing(original, with: url ?? chatwoot.url() + "/blobs/\(blobPath)/")
        let result = try ChatwootWebhookTests().deliver(Array(text.utf8))
        #expect(result.status == 200, "\(result.text)")
        return ("audio:3:\(id):33012", user, id)
    }

    @discardableResult
    func drain(_ extra: String = "") throws -> String {
        try Stack.shared.shell(
            #"""
            OPENAI_API_KEY=sk-test OPENAI_BASE_URL='\#(openAI.url())/v1' OPENAI_TIMEOUT_MS=1500 AUDIO_DOWNLOAD_TIMEOUT_MS=5000 \
            AUDIO_DOWNLOAD_ALLOW_PRIVATE_NETWORKS=true UB_JOB_LEASE_SECONDS=2 \#(extra) \
                "$UB_BIN/job-worker" --drain 2>>"$UB_STATE/log/job-worker.log"; echo "exit=$?"
            """#
        ).output
    }

    func job(_ key: String) throws -> (status: String, attempts: Int, error: String?) {
        let row = try #require(
            try Fixtures().rows("SELECT status, attempts, last_error FROM userbuckets_jobs WHERE dedupe_key = $1", [key]).first)
        return (row[0] ?? "", Int(row[1] ?? "") ?? 0, row[2])
    }

    func audioRows(_ messageID: Int) throws -> [[String?]] {
        try Fixtures().rows(
            """
            SELECT a.transcription, a.transcription_status, a.file_path, a.transcription_error FROM audio_files a
            JOIN meeting_notes n ON n.id = a.meeting_note_id WHERE n.chatwoot_message_id = $1
            """, [String(messageID)])
    }

    @Test func aRedirectedVoiceNoteIsStoredAsOggTranscribedAndFiled() throws {
        let (key, user, id) = try deliverVoiceNote(blobPath: "redirect")
        #expect(try drain().contains("exit=0"))
        #expect(try job(key).status == "done")
        let rows = try audioRows(id)
        #expect(rows.count == 1)
        #expect(rows.first?[0] == "Lembrar de pagar a conta de luz amanhã.")
        #expect(rows.first?[1] == "completed")
        let path = try #require(rows.first?[2])
        #expect(path.hasSuffix("/whatsapp-audio/2026-05-22/238/\(id)_33012.ogg"))
        let stored = Stack.shared.storageDir + "/" + path.dropFirst("filesystem://".count)
        #expect(try FileIO.read(path: String(stored)) == Self.voice)
        let files = try Fixtures().rows("SELECT name, gcs_bucket, type, content_extracted FROM knowledge_files WHERE user_id = $1::uuid", [user])
        #expect(files.count == 1)
        #expect(files.first?[0]?.hasSuffix(".ogg") == true)
        #expect(files.first?[1]?.hasPrefix(Stack.shared.prefix) == true)  // the real bucket, not "gs:"
        #expect(files.first?[3] == "t")
        // OpenAI got audio.ogg, never .oga.
        let upload = try #require(openAI.requests.last)
        #expect(String(decoding: upload.body, as: UTF8.self).contains(#"filename="audio.ogg""#))
        #expect(upload.headers["authorization"] == "Bearer sk-test")
        // The storage host got no credentials either.
        #expect(storageHost.requests.allSatisfy { $0.headers["authorization"] == nil })
        // Running again does nothing twice.
        try drain()
        #expect(try audioRows(id).count == 1)
    }

    @Test func theEarly404IsRetriedAndASlowBlobStillArrives() throws {
        let early = try deliverVoiceNote(blobPath: "early")
        let slow = try deliverVoiceNote(blobPath: "slow")
        try drain()
        #expect(try job(early.job).status == "done")
        #expect(try job(slow.job).status == "done")
    }

    @Test func anOversizedBlobFailsTheJobAtOnce() throws {
        let (key, _, id) = try deliverVoiceNote(blobPath: "huge")
        try drain()
        let state = try job(key)
        #expect(state.status == "failed")
        #expect(state.attempts == 1)
        #expect(state.error?.contains("larger than") == true)
        #expect(try audioRows(id).isEmpty)
    }

    /// A resolver that fails for now (EAI_AGAIN) is a reason to try later, not to give up. The
    /// worker runs in a network namespace of its own with nothing in it (`unshare -n`), where
    /// every lookup fails that way; PostgreSQL is reached over its unix socket.
    @Test func aHostNameThatCannotBeResolvedNowIsRetriedLater() throws {
        let (key, _, _) = try deliverVoiceNote(blobPath: "", url: "https://attachments.example/blobs/redirect/")
        let output = try Stack.shared.shell(
            #"""
            AUDIO_DOWNLOAD_TIMEOUT_MS=2000 UB_JOB_LEASE_SECONDS=2 OPENAI_API_KEY= \
                unshare -n "$UB_BIN/job-worker" --drain 2>>"$UB_STATE/log/job-worker.log"; echo "exit=$?"
            """#
        ).output
        #expect(output.contains("exit=0"))
        let state = try job(key)
        #expect(state.status == "queued", "\(state)")
        #expect(state.error?.contains("could not be resolved now") == true, "\(state)")
        try Fixtures().rows("DELETE FROM userbuckets_jobs WHERE dedupe_key = $1 RETURNING 1", [key])
    }

    /// Proxy variables set on the host for something else never route our calls: the download
    /// and the transcription go straight to their (loopback) hosts, not to the dead proxy.
    @Test func proxyVariablesOfTheEnvironmentAreIgnored() throws {
        let (key, _, id) = try deliverVoiceNote(blobPath: "redirect")
        let dead = LoopbackHTTPServer { _ in .init(status: 502) }
        let proxy = dead.url()
        try drain("http_proxy=\(proxy) https_proxy=\(proxy) HTTP_PROXY=\(proxy) HTTPS_PROXY=\(proxy) ALL_PROXY=\(proxy) NO_PROXY=")
        #expect(try job(key).status == "done")
        #expect(try audioRows(id).first?[1] == "completed")
    }

    @Test func privateAddressesAreRefusedUnlessAllowed() throws {
        let (key, _, _) = try deliverVoiceNote(blobPath: "redirect")
        try drain("AUDIO_DOWNLOAD_ALLOW_PRIVATE_NETWORKS=false")
        let state = try job(key)
        #expect(state.status == "failed")
        #expect(state.error?.contains("private, loopback") == true)
    }

    @Test func rateLimitsAreRetriedAfterRetryAfter() throws {
        let (key, _, id) = try deliverVoiceNote(blobPath: "redirect")
        modes.openAI.withLock { $0 = ["rate"] }
        try drain()
        let waiting = try job(key)
        #expect(waiting.status == "queued")
        #expect(waiting.error?.contains("rate_limit_exceeded") == true)
        usleep(1_300_000)
        try drain()
        #expect(try job(key).status == "done")
        #expect(try audioRows(id).first?[1] == "completed")
    }

    @Test(arguments: [("quota", "insufficient_quota"), ("large", "413")])
    func permanentOpenAIErrorsFailTheJobWithTheReason(mode: String, reason: String) throws {
        let (key, _, id) = try deliverVoiceNote(blobPath: "redirect")
        modes.openAI.withLock { $0 = [mode] }
        try drain()
        let state = try job(key)
        #expect(state.status == "failed")
        #expect(state.attempts == 1)
        #expect(state.error?.contains(reason) == true)
        // The audio itself is kept and recorded, without a transcript.
        let rows = try audioRows(id)
        #expect(rows.count == 1)
        #expect(rows.first?[1] == "error")
    }

    @Test(arguments: ["500", "hang"])
    func serverErrorsAndHangsAreRetriedLater(mode: String) throws {
        let (key, _, id) = try deliverVoiceNote(blobPath: "redirect")
        modes.openAI.withLock { $0 = [mode] }
        try drain()
        let state = try job(key)
        #expect(state.status == "queued")
        #expect(state.attempts == 1)
        #expect(try audioRows(id).isEmpty)
        // Due now: the next run transcribes it.
        _ = try Fixtures().rows("UPDATE userbuckets_jobs SET run_at = now() WHERE dedupe_key = $1 RETURNING 1", [key])
        try drain()
        #expect(try job(key).status == "done")
    }

    @Test func withoutAnOpenAIKeyTheAudioIsStoredAndTheJobSaysTranscriptionIsDisabled() throws {
        let (key, _, id) = try deliverVoiceNote(blobPath: "redirect")
        try drain("OPENAI_API_KEY=")
        #expect(try job(key).status == "skipped")
        let rows = try audioRows(id)
        #expect(rows.first?[3]?.contains("transcription disabled") == true)
    }

    @Test func aWorkerKilledMidJobLeavesItToTheNextOneExactlyOnce() throws {
        let (key, _, id) = try deliverVoiceNote(blobPath: "redirect")
        modes.openAI.withLock { $0 = ["hang"] }
        let before = openAI.requests.count
        let output = try Stack.shared.shell(
            #"""
            OPENAI_API_KEY=sk-test OPENAI_BASE_URL='\#(openAI.url())/v1' OPENAI_TIMEOUT_MS=60000 AUDIO_DOWNLOAD_ALLOW_PRIVATE_NETWORKS=true \
            UB_JOB_LEASE_SECONDS=2 "$UB_BIN/job-worker" 2>>"$UB_STATE/log/job-worker.log" &
            pid=$!
            for _ in $(seq 100); do
                [ "$(psql "$DATABASE_URL" -tAc "SELECT status FROM userbuckets_jobs WHERE dedupe_key = '\#(key)'")" = running ] && break
                sleep 0.05
            done
            sleep 0.5
            kill -KILL "$pid"; wait "$pid" 2>/dev/null
            psql "$DATABASE_URL" -tAc "SELECT status FROM userbuckets_jobs WHERE dedupe_key = '\#(key)'"
            """#
        ).output
        #expect(output.contains("running"), "\(output)")
        #expect(openAI.requests.count > before)
        usleep(2_200_000)  // the lease runs out
        try drain()
        let state = try job(key)
        #expect(state.status == "done")
        #expect(state.attempts == 2)
        #expect(try audioRows(id).count == 1)
    }

    @Test func operatorsListAndRequeueFailedJobs() throws {
        let (key, _, _) = try deliverVoiceNote(blobPath: "huge")
        try drain()
        let id = try #require(try Fixtures().rows("SELECT id FROM userbuckets_jobs WHERE dedupe_key = $1", [key]).first?[0])
        let listed = try Stack.shared.shell(#""$UB_BIN/userbuckets" jobs list --status failed --limit 1000"#).output
        let line = try #require(listed.split(separator: "\n").first { $0.contains(#""id":\#(id),"#) })
        let listedJob = try JSONParser.parse(String(line))
        #expect(listedJob["status"] == .string("failed"))
        #expect(listedJob["lastError"]?.stringValue?.contains("larger than") == true)
        #expect(!listed.contains("/blobs/"))  // attachment URLs are capabilities: not printed
        let retried = try Stack.shared.shell(#""$UB_BIN/userbuckets" jobs retry \#(id)"#).output
        #expect(retried.contains(#"{"requeued":1}"#))
        #expect(try job(key).status == "queued")
        #expect(try job(key).attempts == 0)
        let refused = try Stack.shared.shell(#""$UB_BIN/userbuckets" jobs retry 2>&1; echo "exit=$?""#).output
        #expect(refused.contains("exit=64"))
        try drain()  // fails again (still too large); leaves the queue clean for others
        #expect(try job(key).status == "failed")
    }
}
