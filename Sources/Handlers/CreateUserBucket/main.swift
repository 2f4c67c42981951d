import Shared

FunctionMain.run(functionName: "create-user-bucket") { environment, _ in
    try CreateUserBucketHandler(core: .live(environment: environment), environment: environment)
}
