import Shared

FunctionMain.run(FunctionSpec(name: "knowledge-base-storage", methods: ["POST", "GET", "OPTIONS"], maxBodyBytes: 40 << 20)) {
    environment, _ in
    FunctionInstance(handler: try KnowledgeBaseHandler(core: .live(environment: environment), environment: environment))
}
