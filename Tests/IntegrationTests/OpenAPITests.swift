import Foundation
import Shared
import Testing

/// `openapi/openapi.yaml` is true: schemathesis generates requests from it (valid and invalid
/// ones) against the stack and checks every answer — no 5xx, only documented statuses, bodies
/// and content types as described.
@Suite(.onTheStack, .serialized)
struct OpenAPITests {
    @Test func theDescriptionIsServedAndEveryGeneratedRequestGetsADocumentedAnswer() throws {
        let served = try Stack.shared.client().send("GET", "/functions/v1/openapi.yaml")
        #expect(served.status == 200)
        #expect(served.body == (try FileIO.read(path: Stack.shared.values["UB_ROOT"]! + "/openapi/openapi.yaml")))
        let run = try Stack.shared.shell(
            #"""
            key=$("$UB_BIN/userbuckets" dev keys --json --env-file "$UB_STATE/env" | python3 -c 'import json,sys; print(json.load(sys.stdin)["serviceRoleKey"])')
            st run "$UB_ROOT/openapi/openapi.yaml" --experimental=openapi-3.1 --base-url "$UB_BASE_URL" \
                -H "Authorization: Bearer $key" --checks all -D all --hypothesis-max-examples 100 --hypothesis-seed 1 \
                --no-color 2>&1
            echo "exit=$?"
            """#)
        #expect(run.output.contains("exit=0"), "\(run.output.suffix(3000))")
        #expect(run.output.contains("not_a_server_error"), "\(run.output.suffix(3000))")
    }
}
