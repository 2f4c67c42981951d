TextExtractor.main(arguments: Array(CommandLine.arguments.dropFirst()))
