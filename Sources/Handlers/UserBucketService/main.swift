import Shared

FunctionMain.run(functionName: "user-bucket-service", maxBodyBytes: 64 * 1024) { environment, _ in
    try UserBucketServiceHandler(core: .live(environment: environment), environment: environment)
}
