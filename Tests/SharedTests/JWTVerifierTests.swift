import TestSupport
import Testing

@testable import Shared

@Suite struct JWTVerifierTests {
    let vectors = try! Fixture.json("supabase/jwt_test_vectors.json")
    let rs256 = try! Fixture.json("keys/rs256_vectors.json")
    /// 2026-05-22, inside every fixture token's lifetime except the expired one.
    let now = 1_779_451_300

    var hs256: JWTVerifier { JWTVerifier(hmacSecret: vectors["hs256_secret"]!.stringValue!) }

    func token(_ key: String) -> String { vectors[key]!.stringValue! }

    @Test func acceptsTheUserToken() throws {
        let caller = try hs256.verify(token("user_token_hs256_valid_until_2100"), now: now)
        #expect(caller == .user(id: UserID("4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90")!))
    }

    @Test func readsRolesOfTheDemoKeys() throws {
        #expect(try hs256.verify(token("legacy_demo_service_role_key"), now: now) == .serviceRole)
        #expect(try hs256.verify(token("legacy_demo_anon_key"), now: now) == .anonymous)
    }

    /// A signed token whose claims sit at the ends of Int: no arithmetic on a claim may trap.
    @Test(arguments: [
        (#"{"sub":"4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90","aud":"authenticated","role":"authenticated","exp":9223372036854775807}"#, true),
        (#"{"sub":"4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90","aud":"authenticated","role":"authenticated","exp":9223372036854775790}"#, true),
        (#"{"sub":"4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90","aud":"authenticated","role":"authenticated","exp":-9223372036854775808}"#, false),
        (
            #"{"sub":"4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90","aud":"authenticated","role":"authenticated","exp":4102444800,"nbf":9223372036854775807}"#,
            false
        ),
        (
            #"{"sub":"4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90","aud":"authenticated","role":"authenticated","exp":4102444800,"iat":-9223372036854775808}"#,
            true
        ),
        (#"{"sub":"4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90","aud":"authenticated","role":"authenticated","exp":1e400}"#, false),
    ])
    func extremeClaimsNeverTrap(claims: String, accepted: Bool) {
        let secret = vectors["hs256_secret"]!.stringValue!
        let message = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
        let token = message + "." + Base64URL.encode(HMACKey(secret.utf8).authenticate(Array(message.utf8)))
        let caller = Result { try hs256.verify(token, now: now) }
        #expect((try? caller.get()) != nil ? accepted : !accepted, "\(caller)")
        #expect((try? JWTVerifier(hmacSecret: secret, leeway: Int.max).verify(token, now: now)) != nil || !accepted)
    }

    @Test func refusesTheFixtureNegatives() {
        #expect(throws: JWTVerifier.Failure.expired) { try hs256.verify(token("user_token_hs256_expired"), now: now) }
        #expect(throws: JWTVerifier.Failure.badSignature) {
            try hs256.verify(token("user_token_hs256_bad_signature"), now: now)
        }
        #expect(throws: JWTVerifier.Failure.unsupportedAlgorithm("none")) {
            try hs256.verify(token("user_token_alg_none_must_reject"), now: now)
        }
    }

    @Test func refusesTheWrongSecretGarbageAndTampering() {
        let other = JWTVerifier(hmacSecret: "another-secret-another-secret-another-secret")
        #expect(throws: JWTVerifier.Failure.badSignature) { try other.verify(token("user_token_hs256_valid_until_2100"), now: now) }
        for garbage in ["", "a.b", "a.b.c.d", "!!.!!.!!", "eyJhbGciOiJIUzI1NiJ9.e30."] {
            #expect(throws: JWTVerifier.Failure.self) { try hs256.verify(garbage, now: now) }
        }
        // Same signature, payload changed to service_role.
        let parts = token("user_token_hs256_valid_until_2100").split(separator: ".")
        let forged = parts[0] + "." + Base64URL.encode(Array(#"{"role":"service_role","exp":4102444800}"#.utf8)) + "." + parts[2]
        #expect(throws: JWTVerifier.Failure.badSignature) { try hs256.verify(String(forged), now: now) }
    }

    @Test func enforcesAudienceIssuerAndLeeway() {
        let strictAudience = JWTVerifier(hmacSecret: vectors["hs256_secret"]!.stringValue!, audiences: ["other"])
        #expect(throws: JWTVerifier.Failure.wrongAudience) {
            try strictAudience.verify(token("user_token_hs256_valid_until_2100"), now: now)
        }
        let strictIssuer = JWTVerifier(hmacSecret: vectors["hs256_secret"]!.stringValue!, issuer: "https://elsewhere/auth/v1")
        #expect(throws: JWTVerifier.Failure.wrongIssuer) {
            try strictIssuer.verify(token("user_token_hs256_valid_until_2100"), now: now)
        }
        // Expired 2026-04-22 +/- leeway.
        #expect(throws: JWTVerifier.Failure.notYetValid) {
            try hs256.verify(token("user_token_hs256_valid_until_2100"), now: 1_779_451_200 - 3600)
        }
        #expect((try? hs256.verify(token("user_token_hs256_expired"), now: 1_776_862_800 + 10)) != nil)
    }

    @Test func verifiesES256AgainstTheJWKS() throws {
        let keySet = try JSONWebKeySet(json: vectors["es256"]!["jwks"]!)
        let verifier = JWTVerifier(hmacSecret: nil, keySet: keySet)
        let caller = try verifier.verify(vectors["es256"]!["token_valid_until_2100"]!.stringValue!, now: now)
        #expect(caller == .user(id: UserID("4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90")!))
        // No HS256 secret configured: an HS256 token is refused, whatever its signature.
        #expect(throws: JWTVerifier.Failure.unsupportedAlgorithm("HS256")) {
            try verifier.verify(token("user_token_hs256_valid_until_2100"), now: now)
        }
    }

    @Test func verifiesRS256AndRefusesAlgorithmConfusion() throws {
        let keySet = try JSONWebKeySet(json: rs256["jwks"]!)
        let verifier = JWTVerifier(hmacSecret: nil, keySet: keySet)
        #expect(
            try verifier.verify(rs256["token_valid_until_2100"]!.stringValue!, now: now) == .user(id: UserID("4f9c2b1e-0d7a-4b6e-9a31-2c8e5f7d1a90")!)
        )
        #expect(try verifier.verify(rs256["token_service_role"]!.stringValue!, now: now) == .serviceRole)
        #expect(throws: JWTVerifier.Failure.unknownKey) { try verifier.verify(rs256["token_unknown_kid"]!.stringValue!, now: now) }
        // An ES256 header naming the RSA key's kid.
        let parts = rs256["token_valid_until_2100"]!.stringValue!.split(separator: ".")
        let header = Base64URL.encode(Array(#"{"alg":"ES256","kid":"rs256-test-key-1"}"#.utf8))
        #expect(throws: JWTVerifier.Failure.unsupportedAlgorithm("ES256")) {
            try verifier.verify(header + "." + parts[1] + "." + parts[2], now: now)
        }
    }

    @Test func authenticatorAnswersWithGatewayBodies() throws {
        let authenticator = Authenticator(verifier: hs256, clock: { 1_779_451_300 })
        let missing = Request(method: "POST", path: "/")
        #expect(throws: ServiceError.self) { try authenticator.authenticate(missing) }
        do {
            _ = try authenticator.authenticate(missing)
        } catch {
            #expect(error.body?.serialized() == #"{"code":401,"message":"Missing authorization header"}"#)
        }
        let bad = Request(method: "POST", path: "/", headers: ["authorization": "Bearer " + token("user_token_hs256_expired")])
        do {
            _ = try authenticator.authenticate(bad)
            Issue.record("expired token accepted")
        } catch {
            #expect(error.body?.serialized() == #"{"code":401,"message":"Invalid JWT"}"#)
        }
        let viaAPIKey = Request(method: "POST", path: "/", headers: ["apikey": token("legacy_demo_service_role_key")])
        #expect(try authenticator.authenticate(viaAPIKey) == .serviceRole)
        let refusing = Request(method: "POST", path: "/", headers: ["authorization": "Bearer " + token("legacy_demo_service_role_key")])
        #expect(throws: ServiceError.self) { try Authenticator.refusingAll.authenticate(refusing) }
        let anon = Request(method: "POST", path: "/", headers: ["authorization": "Bearer " + token("legacy_demo_anon_key")])
        #expect(throws: ServiceError.self) { try authenticator.authenticateUserData(anon) }
    }

    /// Supabase's new API keys map to their roles as the gateway maps them; an unknown one, or
    /// one of another project, is refused; a user's JWT still names the user.
    @Test func supabaseAPIKeysMapToTheirRoles() throws {
        let publishable = "sb_publishable_Qm7ZkR2vX9pL4tYc8nW1sA_3dFgHj5K"
        let secret = "sb_secret_N4bV8cX2zL6kJ9hG3fD1sA_7qWeRtY0U"
        let authenticator = try Authenticator(
            environment: Environment([
                "SUPABASE_JWT_SECRET": "super-secret-jwt-token-with-at-least-32-characters-long",
                "SUPABASE_PUBLISHABLE_KEYS": publishable, "SUPABASE_SECRET_KEYS": "sb_secret_old_rotated_key_1, \(secret)",
            ]))
        func caller(_ headers: [String: String]) throws -> Caller {
            try authenticator.authenticate(Request(method: "POST", path: "/", headers: headers))
        }
        #expect(try caller(["apikey": publishable]) == .anonymous)
        #expect(try caller(["authorization": "Bearer " + publishable]) == .anonymous)
        #expect(try caller(["apikey": secret]) == .serviceRole)
        #expect(try caller(["authorization": "Bearer " + secret]) == .serviceRole)
        #expect(try caller(["authorization": "Bearer sb_secret_old_rotated_key_1"]) == .serviceRole)
        for refused in ["sb_secret_N4bV8cX2zL6kJ9hG3fD1sA_7qWeRtY0V", "sb_publishable_", "sb_secret_" + secret] {
            #expect(throws: ServiceError.self) { try caller(["authorization": "Bearer " + refused]) }
            do {
                _ = try caller(["apikey": refused])
                Issue.record("\(refused) accepted")
            } catch {
                #expect((error as? ServiceError)?.body?.serialized() == #"{"code":401,"message":"Invalid API key"}"#)
            }
        }
        // Nothing configured: an sb_ key is never a role.
        #expect(throws: ServiceError.self) {
            try Authenticator(verifier: self.hs256).authenticate(Request(method: "POST", path: "/", headers: ["apikey": secret]))
        }
    }

    @Test func bearerSchemeIsReadInAnyCase() {
        #expect(Authenticator.bearerCredentials("Bearer abc") == "abc")
        #expect(Authenticator.bearerCredentials("bEaReR  abc ") == "abc")
        #expect(Authenticator.bearerCredentials("Bearer") == nil)
        #expect(Authenticator.bearerCredentials("Bearer\u{0}abc") == nil)
        #expect(Authenticator.bearerCredentials("Basic dXNlcjpwYXNz") == nil)
        #expect(Authenticator.bearerCredentials("Bearer ") == nil)
        #expect(Authenticator.bearerCredentials("Bearer   ") == "")
    }
}
