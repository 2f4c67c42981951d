import Shared

JobWorker.main(arguments: Array(CommandLine.arguments.dropFirst()))
