import Shared

FunctionMain.run(FunctionSpec(name: "create-user-bucket", methods: ["POST", "OPTIONS"], maxBodyBytes: 64 * 1024)) { environment, _ in
    let core = try CoreServices.live(environment: environment, servingLoop: true)
    return FunctionInstance(handler: CreateUserBucketHandler(core: core), core: core, environment: environment)
}
