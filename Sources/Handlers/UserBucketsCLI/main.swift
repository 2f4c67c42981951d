import ArgumentParser

UserBucketsCommand.main()
