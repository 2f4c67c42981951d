import Shared

FunctionMain.run(FunctionSpec(name: "knowledge-base-storage", methods: ["POST", "GET", "OPTIONS"], maxBodyBytes: 40 << 20)) {
    environment, _ in
    let core = try CoreServices.live(environment: environment, servingLoop: true)
    return FunctionInstance(handler: try KnowledgeBaseHandler(core: core, environment: environment), core: core, environment: environment)
}
