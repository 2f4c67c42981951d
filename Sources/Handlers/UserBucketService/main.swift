import Shared

FunctionMain.run(FunctionSpec(name: "user-bucket-service", methods: ["POST", "OPTIONS"], maxBodyBytes: 64 * 1024)) { environment, _ in
    let core = try CoreServices.live(environment: environment, servingLoop: true)
    // This pool serves the metrics scrape (nginx), so it reports the job queue's depth too.
    return FunctionInstance(
        handler: UserBucketServiceHandler(core: core), core: core, environment: environment,
        gauges: {
            core.jobs.depthGauges() + core.merges.stateGauges()
        })
}
