/// Public keys from a JWKS document (`{"keys":[…]}`), by `kid`.
package struct JSONWebKeySet: Sendable {
    /// One usable key.
    package struct Key: Sendable {
        package let algorithm: String
        package let publicKey: PublicKey
    }

    package let keys: [String: Key]

    package init(keys: [String: Key]) {
        self.keys = keys
    }

    /// Parses a JWKS; keys that are not EC P-256 or RSA signing keys are skipped.
    package init(json: JSON) throws(ServiceError) {
        guard let list = json["keys"]?.arrayValue else {
            throw ServiceError(.internal, "JWKS has no keys array")
        }
        var keys: [String: Key] = [:]
        for entry in list {
            guard let kid = entry["kid"]?.stringValue, entry["use"]?.stringValue ?? "sig" == "sig" else { continue }
            switch entry["kty"]?.stringValue {
            case "EC":
                guard entry["crv"]?.stringValue == "P-256",
                    let x = entry["x"]?.stringValue.flatMap(Base64URL.decode),
                    let y = entry["y"]?.stringValue.flatMap(Base64URL.decode),
                    let key = try? PublicKey(p256X: x, y: y)
                else { continue }
                keys[kid] = Key(algorithm: "ES256", publicKey: key)
            case "RSA":
                guard let n = entry["n"]?.stringValue.flatMap(Base64URL.decode),
                    let e = entry["e"]?.stringValue.flatMap(Base64URL.decode),
                    n.count >= 256,
                    let key = try? PublicKey(rsaModulus: n, exponent: e)
                else { continue }
                keys[kid] = Key(algorithm: "RS256", publicKey: key)
            default:
                continue
            }
        }
        self.keys = keys
    }
}
