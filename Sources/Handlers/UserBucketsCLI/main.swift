import ArgumentParser

UserBucketsCommand.main(EnvironmentFile.load(arguments: Array(CommandLine.arguments.dropFirst())))
