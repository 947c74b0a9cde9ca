// swift-tools-version:5.9
// Relais for Swift: the Rust core (RelaisFFI.xcframework, a static library per platform) and its
// uniffi bindings (Sources/Relais/Generated/Relais.swift), both produced by scripts/build-ios on
// a Mac with Xcode. The app (ios/RelaisApp) depends on the "Relais" library product.
import PackageDescription

let package = Package(
    name: "Relais",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "Relais", targets: ["Relais"]),
    ],
    targets: [
        .binaryTarget(name: "RelaisFFI", path: "RelaisFFI.xcframework"),
        .target(
            name: "Relais",
            dependencies: ["RelaisFFI"],
            path: "Sources/Relais"
        ),
        .testTarget(
            name: "RelaisTests",
            dependencies: ["Relais"],
            path: "Tests/RelaisTests"
        ),
    ]
)
