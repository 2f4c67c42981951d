/// What a function executable serves: its name (as in `/functions/v1/<name>`), the methods it
/// takes (others are 405 before the handler runs; `OPTIONS` is always a CORS preflight) and
/// its request body cap (`UB_MAX_BODY_BYTES` overrides it).
package struct FunctionSpec: Sendable {
    package let name: String
    package let methods: [String]
    package let maxBodyBytes: Int

    package init(name: String, methods: [String], maxBodyBytes: Int) {
        self.name = name
        self.methods = methods
        self.maxBodyBytes = maxBodyBytes
    }
}
