import Shared

FunctionMain.run(FunctionSpec(name: "chatwoot-webhook", methods: ["POST", "OPTIONS"], maxBodyBytes: 1 << 20)) { environment, _ in
    let core = try CoreServices.live(environment: environment, servingLoop: true)
    return FunctionInstance(handler: try ChatwootWebhookHandler(core: core, environment: environment), core: core, environment: environment)
}
