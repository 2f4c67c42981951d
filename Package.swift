// swift-tools-version: 6.1
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .unsafeFlags(["-warnings-as-errors"]),
]

let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

let package = Package(
    name: "userbuckets",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "user-bucket-service", targets: ["UserBucketService"]),
        .executable(name: "create-user-bucket", targets: ["CreateUserBucket"]),
        .executable(name: "chatwoot-webhook", targets: ["ChatwootWebhook"]),
        .executable(name: "job-worker", targets: ["JobWorker"]),
        .executable(name: "knowledge-base-storage", targets: ["KnowledgeBaseStorage"]),
        .executable(name: "userbuckets", targets: ["UserBucketsCLI"]),
        .executable(name: "text-extractor", targets: ["TextExtractor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CSharedMemory", path: "Sources/Shared/CLibraries/CSharedMemory"),
        .systemLibrary(
            name: "CFastCGI", path: "Sources/Shared/CLibraries/CFastCGI", pkgConfig: "fcgi",
            providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(
            name: "CLibPQ", path: "Sources/Shared/CLibraries/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/Shared/CLibraries/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Sources/Shared/CLibraries/COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .target(
            name: "CPhoneNumber", path: "Sources/Shared/CLibraries/CPhoneNumber",
            linkerSettings: [.linkedLibrary("phonenumber"), .linkedLibrary("icuuc"), .linkedLibrary("stdc++")]),
        // Only the text extractor links poppler, libzip and libxml2: the functions stay small.
        .target(
            name: "CTextExtraction", path: "Sources/Shared/CLibraries/CTextExtraction",
            cSettings: [.unsafeFlags(["-I/usr/include/libxml2"])],
            cxxSettings: [.unsafeFlags(["-I/usr/include/poppler/cpp"])],
            linkerSettings: [.linkedLibrary("poppler-cpp"), .linkedLibrary("zip"), .linkedLibrary("xml2"), .linkedLibrary("stdc++")]),
        .target(
            name: "Shared",
            dependencies: [
                "CFastCGI", "CLibPQ", "CCurl", "COpenSSL", "CPhoneNumber", "CSharedMemory",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Shared", exclude: ["CLibraries"], swiftSettings: strictSettings),
        .executableTarget(
            name: "UserBucketService", dependencies: ["Shared", logging],
            path: "Sources/Handlers/UserBucketService", swiftSettings: strictSettings),
        .executableTarget(
            name: "CreateUserBucket", dependencies: ["Shared", logging],
            path: "Sources/Handlers/CreateUserBucket", swiftSettings: strictSettings),
        .executableTarget(
            name: "ChatwootWebhook", dependencies: ["Shared", logging],
            path: "Sources/Handlers/ChatwootWebhook", swiftSettings: strictSettings),
        .executableTarget(
            name: "JobWorker", dependencies: ["Shared", logging],
            path: "Sources/Handlers/JobWorker", swiftSettings: strictSettings),
        .executableTarget(
            name: "KnowledgeBaseStorage", dependencies: ["Shared", logging],
            path: "Sources/Handlers/KnowledgeBaseStorage", swiftSettings: strictSettings),
        .executableTarget(
            name: "TextExtractor", dependencies: ["Shared", "CTextExtraction"],
            path: "Sources/Handlers/TextExtractor", swiftSettings: strictSettings),
        .executableTarget(
            name: "UserBucketsCLI",
            dependencies: ["Shared", logging, .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Handlers/UserBucketsCLI", swiftSettings: strictSettings),
        .target(name: "TestSupport", path: "Tests/TestSupport", exclude: ["Oracles"], swiftSettings: strictSettings),
        .testTarget(
            name: "SharedTests", dependencies: ["Shared", "TestSupport", logging], path: "Tests/SharedTests",
            swiftSettings: strictSettings),
        .testTarget(
            name: "HandlersTests",
            dependencies: ["Shared", "TestSupport", logging, "UserBucketService", "ChatwootWebhook", "KnowledgeBaseStorage"],
            path: "Tests/HandlersTests", swiftSettings: strictSettings),
        .testTarget(
            name: "IntegrationTests", dependencies: ["Shared", "TestSupport", logging], path: "Tests/IntegrationTests",
            exclude: ["Support/fcgi_keepalive_client.py"],
            swiftSettings: strictSettings),
    ],
    cxxLanguageStandard: .cxx17
)
