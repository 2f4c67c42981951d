import Shared

FunctionMain.run(functionName: "knowledge-base-storage", maxBodyBytes: 40 << 20) { environment, _ in
    let core = try CoreServices.live(environment: environment)
    guard let connection = core.connection else { throw Environment.Error(variable: "DATABASE_URL", reason: "is required") }
    return try KnowledgeBaseHandler(core: core, files: PostgresKnowledgeFileStore(connection: connection), environment: environment)
}
