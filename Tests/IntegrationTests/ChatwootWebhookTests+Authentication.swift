import Foundation
import Shared
import Synchronization
import TestSupport
import Testing

/// Who may deliver: signatures, the URL token, and a function that will not serve without either.
extension ChatwootWebhookTests {
    @Test func signaturesAreCheckedOverTheRawBodyWithinFiveMinutes() throws {
        let body = try Self.message("01_message_created_incoming_text.json", phone: Fixtures.randomMobile())
        let now = Int(Date().timeIntervalSince1970)
        #expect(try deliver(body, secret: ChatwootSignature(secret: "wrong-secret")).status == 401)
        var tampered = body
        tampered[tampered.count / 2] ^= 0x01
        let stamp = String(now)
        let changed = try client.send(
            "POST", path,
            headers: [
                "Content-Type": "application/json", "X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Signature": signer.sign(body: body, timestamp: stamp),
            ],
            body: tampered)
        #expect(changed.status == 401)
        #expect(try deliver(body, timestamp: now - 301).status == 401)
        #expect(try deliver(body, timestamp: now + 301).status == 401)
        let unsigned = try client.send("POST", path, headers: ["Content-Type": "application/json"], body: body)
        #expect(unsigned.status == 401)
        #expect(unsigned.text.contains("token") || unsigned.text.contains("signature"))
        // Body only, no timestamp prefix (a common mistake): refused.
        let bodyOnly = "sha256=" + Digest.hex(Digest.hmacSHA256(key: Array(Stack.shared.values["CHATWOOT_WEBHOOK_SECRET"]!.utf8), message: body))
        let wrongScheme = try client.send(
            "POST", path, headers: ["Content-Type": "application/json", "X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Signature": bodyOnly],
            body: body)
        #expect(wrongScheme.status == 401)
        #expect(try deliver(body).status == 200)
    }

    @Test func chatwootsThatCannotSignUseTheURLToken() throws {
        let body = try Self.message("01_message_created_incoming_text.json", phone: Fixtures.randomMobile())
        let token = Stack.shared.values["CHATWOOT_WEBHOOK_TOKEN"]!
        let good = try client.send("POST", path + "?token=" + token, headers: ["Content-Type": "application/json"], body: body)
        #expect(good.status == 200, "\(good.text)")
        let wrong = String(token.dropLast()) + (token.hasSuffix("0") ? "1" : "0")
        let bad = try client.send("POST", path + "?token=" + wrong, headers: ["Content-Type": "application/json"], body: body)
        #expect(bad.status == 401)
        // A signature that is present must be right, token or not.
        let badSignature = try client.send(
            "POST", path + "?token=" + token,
            headers: [
                "Content-Type": "application/json", "X-Chatwoot-Timestamp": "1",
                "X-Chatwoot-Signature": "sha256=" + String(repeating: "0", count: 64),
            ],
            body: body)
        #expect(badSignature.status == 401)
    }

    @Test func theFunctionWillNotServeWithoutAuthenticationConfigured() throws {
        let result = try Stack.shared.shell(
            #"""
            sock="$UB_STATE/run/webhook-open.sock"; log="$UB_STATE/log/webhook-open.log"; rm -f "$sock"
            env -u CHATWOOT_WEBHOOK_SECRET -u CHATWOOT_WEBHOOK_TOKEN timeout 5 spawn-fcgi -n -s "$sock" -- "$UB_BIN/chatwoot-webhook" 2>"$log"
            echo "exit=$?"
            cat "$log"
            """#)
        #expect(result.output.contains("exit=1"))
        #expect(result.output.contains("refusing to accept unauthenticated webhooks"))
    }
}
