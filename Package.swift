// swift-tools-version:6.0
// Scribe: a speech-to-text engine in Swift. Targets depend one way:
// C shims -> Audio / Features / Tensor -> NN -> Model -> Decoding -> scribe; Evaluation and Training beside.
import PackageDescription

/// Numeric targets: checked arithmetic stays on (Swift's default -O). On x86_64 they target Haswell (AVX2, FMA;
/// the x86-64-v3 level, a name this toolchain's clang importer rejects): vectorized exp 1.23 -> 0.60 ns/element,
/// Transformer encoder step -8% CPU, BiLSTM step -2% (GEMM-bound). Binaries need an AVX2 CPU (2013 on).
#if arch(x86_64)
let numeric: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let numeric: [SwiftSetting] = []
#endif

let package = Package(
    name: "Scribe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "scribe", targets: ["scribe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries behind module maps (no Swift API of their own).
        .systemLibrary(name: "CSndfile", path: "Sources/CSndfile", pkgConfig: "sndfile",
                       providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW", pkgConfig: "fftw3f",
                       providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSoxr", path: "Sources/CSoxr", pkgConfig: "soxr",
                       providers: [.apt(["libsoxr-dev"])]),

        .target(name: "Audio", dependencies: ["CSndfile", "CSoxr"], swiftSettings: numeric),
        .target(name: "Features", dependencies: ["CFFTW"], swiftSettings: numeric),
        .target(name: "Tensor", dependencies: ["CBLAS"], swiftSettings: numeric),
        .target(name: "Evaluation"),
        .target(name: "NN", dependencies: ["Tensor"], swiftSettings: numeric),
        .target(name: "Model", dependencies: ["NN", "Features", "Evaluation"], swiftSettings: numeric),
        .target(name: "Decoding", dependencies: ["Model", "Audio"], swiftSettings: numeric),
        .target(name: "Training", dependencies: ["Model", "Decoding", "Evaluation", "Audio", "Features"], swiftSettings: numeric),
        .executableTarget(name: "scribe", dependencies: [
            "Audio", "Features", "Tensor", "Evaluation", "NN", "Model", "Decoding", "Training",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: numeric),

        .target(name: "TestSupport", dependencies: ["Tensor"], path: "Tests/TestSupport"),
        .testTarget(name: "AudioTests", dependencies: ["Audio", "TestSupport"], exclude: ["Fixtures"]),  // read by path
        .testTarget(name: "FeaturesTests", dependencies: ["Features", "Audio", "TestSupport"],
                    resources: [.copy("Goldens")]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"], exclude: ["Goldens"]),  // read by path
        .testTarget(name: "NNTests", dependencies: ["NN", "TestSupport"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "Decoding", "Audio", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Model", "Decoding", "Features", "NN", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"], resources: [.copy("Goldens")]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
