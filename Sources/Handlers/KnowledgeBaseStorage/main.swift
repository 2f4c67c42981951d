import Shared

FunctionMain.run(FunctionSpec(name: "knowledge-base-storage", methods: ["POST", "GET", "OPTIONS"], maxBodyBytes: 40 << 20)) {
    environment, _ in
    let core = try CoreServices.live(environment: environment)
    guard let connection = core.connection else { throw Environment.Error(variable: "DATABASE_URL", reason: "is required") }
    return FunctionInstance(
        handler: try KnowledgeBaseHandler(core: core, files: PostgresKnowledgeFileStore(connection: connection), environment: environment))
}
