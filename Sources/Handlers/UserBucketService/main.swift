import Shared

FunctionMain.run(functionName: "user-bucket-service") { environment, _ in
    try UserBucketServiceHandler(core: .live(environment: environment), environment: environment)
}
