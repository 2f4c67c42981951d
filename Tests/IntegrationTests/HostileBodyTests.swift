import Foundation
import Shared
import Testing

/// Bodies built to cost a worker memory or time, each up to the body caps: answered quickly,
/// with no worker above 128 MB.
@Suite(.onTheStack, .serialized)
struct HostileBodyTests {
    let client = Stack.shared.client()
    let fixtures = Fixtures()

    /// Resets the peak RSS of every worker of `function`, runs `body`, returns the peaks (kB).
    func peaks(of function: String, during body: () throws -> Void) throws -> [Int] {
        try Stack.shared.shell(
            #"pool=$(cat "$UB_STATE/run/\#(function).pid"); for c in $(cat /proc/$pool/task/$pool/children); do echo 5 > /proc/$c/clear_refs; done"#)
        try body()
        return try Stack.shared.shell(
            #"pool=$(cat "$UB_STATE/run/\#(function).pid"); for c in $(cat /proc/$pool/task/$pool/children); do awk '/^VmHWM/ {print $2}' /proc/$c/status; done"#
        ).output.split(separator: "\n").compactMap { Int($0) }
    }

    @Test func fortyMebibytesOfEmptyObjectsAreRefusedQuicklyAndSmall() throws {
        let token = Tokens.user(try fixtures.user())
        var body = Array("[".utf8)
        body.reserveCapacity(40 << 20)
        while body.count < (40 << 20) - 4 { body.append(contentsOf: Array("{},".utf8)) }
        body.append(contentsOf: Array("{}]".utf8))
        var status = 0
        var seconds = 0.0
        let peaks = try peaks(of: "knowledge-base-storage") {
            let started = MonotonicClock.nanoseconds()
            status = try client.send(
                "POST", "/functions/v1/knowledge-base-storage", headers: ["Content-Type": "application/json", "Authorization": "Bearer \(token)"],
                body: body
            ).status
            seconds = Double(MonotonicClock.nanoseconds() - started) / 1e9
        }
        #expect(status == 413)
        #expect(seconds < 5, "\(seconds) s")
        #expect(!peaks.isEmpty && peaks.allSatisfy { $0 < 128 * 1024 }, "peak RSS kB: \(peaks)")
    }

    @Test func anObjectOfThousandsOfKeysIsRefusedForAnyone() throws {
        var text = #"{"action":"normalize-phone","whatsappNumber":"+5511987654321""#
        for key in 0..<5_000 { text += #","k\#(key)":0"# }
        let answer = try client.post("user-bucket-service", json: text + "}", token: Tokens.anon)
        #expect(answer.status == 413, "\(answer.text.prefix(200))")
        #expect(answer.json?["success"] == .bool(false))
    }

    /// The original upload form at the cap: the base64 text is decoded from the body where it is,
    /// not from a copy in the tree.
    @Test func aBase64UploadAtTheCapStaysUnder128MB() throws {
        let token = Tokens.user(try fixtures.user())
        var file = [UInt8](repeating: 0x61, count: 25 << 20)
        file[0] = 0x64
        file[1] = UInt8.random(in: 0x61...0x7A)
        // Escaped slashes, as some encoders write them.
        let content = Data(file).base64EncodedString().replacing("/", with: "\\/")
        let json = #"{"action":"upload","file":{"name":"cap.txt","type":"text/plain","content":"\#(content)"}}"#
        var answer: HTTPTestClient.Result?
        let peaks = try peaks(of: "knowledge-base-storage") {
            answer = try client.post("knowledge-base-storage", json: json, token: token)
        }
        #expect(answer?.status == 200, "\(answer?.text.prefix(200) ?? "")")
        #expect(answer?.json?["data"]?["size"] == .integer(file.count))
        #expect(!peaks.isEmpty && peaks.allSatisfy { $0 < 128 * 1024 }, "peak RSS kB: \(peaks)")
    }
}
