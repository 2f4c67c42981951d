import Shared

FunctionMain.run(FunctionSpec(name: "chatwoot-webhook", methods: ["POST", "OPTIONS"], maxBodyBytes: 1 << 20)) { environment, _ in
    let core = try CoreServices.live(environment: environment)
    guard let connection = core.connection else { throw Environment.Error(variable: "DATABASE_URL", reason: "is required") }
    return FunctionInstance(
        handler: try ChatwootWebhookHandler(core: core, store: PostgresChatwootMessageStore(connection: connection), environment: environment))
}
