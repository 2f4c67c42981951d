import Shared

FunctionMain.run(functionName: "create-user-bucket", maxBodyBytes: 64 * 1024) { environment, _ in
    try CreateUserBucketHandler(core: .live(environment: environment), environment: environment)
}
