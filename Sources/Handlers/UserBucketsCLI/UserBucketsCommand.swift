import ArgumentParser

/// `userbuckets`: the operator's command line.
struct UserBucketsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "userbuckets",
        abstract: "Operate userbuckets: normalize numbers, identify users, apply migrations, handle stored objects.",
        subcommands: [
            NormalizeCommand.self, IdentifyCommand.self, MigrateCommand.self, ObjectCommand.self, JobsCommand.self, ListBucketsCommand.self,
            VerifyMappingsCommand.self, MergesCommand.self, DevCommand.self,
        ])
}
