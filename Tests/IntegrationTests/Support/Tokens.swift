import Shared

/// HS256 tokens signed with the stack's secret, shaped like Supabase's.
enum Tokens {
    static func sign(_ claims: String, secret: String = Stack.shared.jwtSecret, alg: String = "HS256") -> String {
        let header = Base64URL.encode(Array(#"{"alg":"\#(alg)","typ":"JWT"}"#.utf8))
        let payload = Base64URL.encode(Array(claims.utf8))
        let signature = Digest.hmacSHA256(key: Array(secret.utf8), message: Array("\(header).\(payload)".utf8))
        return "\(header).\(payload).\(Base64URL.encode(signature))"
    }

    static var serviceRole: String { sign(#"{"iss":"supabase","role":"service_role","exp":4102444800}"#) }
    static var anon: String { sign(#"{"iss":"supabase","role":"anon","exp":4102444800}"#) }

    static func user(_ id: String, exp: Int = 4_102_444_800) -> String {
        sign(#"{"sub":"\#(id)","aud":"authenticated","role":"authenticated","exp":\#(exp),"iat":1779451200}"#)
    }
}
