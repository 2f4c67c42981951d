import Shared

FunctionMain.run(FunctionSpec(name: "create-user-bucket", methods: ["POST", "OPTIONS"], maxBodyBytes: 64 * 1024)) { environment, _ in
    FunctionInstance(handler: CreateUserBucketHandler(core: try .live(environment: environment)))
}
