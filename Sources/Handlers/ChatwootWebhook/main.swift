import Shared

FunctionMain.run(FunctionSpec(name: "chatwoot-webhook", methods: ["POST", "OPTIONS"], maxBodyBytes: 1 << 20)) { environment, _ in
    FunctionInstance(handler: try ChatwootWebhookHandler(core: .live(environment: environment), environment: environment))
}
