// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "VecTUI",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vectui", targets: ["VecTUI"]),
        .library(name: "Core", targets: ["Core"]),
        .library(name: "Encoder", targets: ["Encoder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, each behind a module map.
        .systemLibrary(name: "COpenCL", path: "Sources/COpenCL",
                       providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers"])]),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses",
                       providers: [.apt(["libncursesw5-dev"])]),
        // Header-only C helpers for hot loops (a prefetch hint Swift cannot express).
        .systemLibrary(name: "CKernels", path: "Sources/CKernels"),
        // System calls Swift cannot make safely: signal handlers (the SIGBUS guard over mapped
        // files, lease breaks, the fatal-signal handler that gives the terminal back) and mremap.
        .target(name: "CSystem", path: "Sources/CSystem"),

        // The shared core: indexes, kernels, FAISS I/O, vector files. OpenBLAS is opened at
        // run time (Kernels/BLAS.swift), so that its kernels can be chosen for the CPU.
        .target(
            name: "Core",
            dependencies: ["COpenCL", "CKernels", "CSystem"]
        ),
        // Text → vectors: a BERT sentence encoder on Core's BLAS (model folders, WordPiece,
        // safetensors mapped) and a client for OpenAI-compatible embedding servers.
        .target(name: "Encoder", dependencies: ["Core", "CKernels"]),
        // Pure-Swift terminal UI toolkit: cell buffer, layout, widgets, themes, backends.
        // Only its ncurses backend imports CNcurses (and CSystem, to register the terminal
        // with the fatal-signal handler).
        .target(name: "TUI", dependencies: ["CNcurses", "CSystem"]),
        // The explorer as a library: its model, pure update and view, the session that runs
        // jobs, and the runtime loop. The executable's `open` and `demo` call ExplorerLauncher.
        .target(name: "Explorer", dependencies: ["Core", "Encoder", "TUI"]),
        // The executable: CLI commands, each a thin layer over Core, Encoder and Explorer.
        .executableTarget(
            name: "VecTUI",
            dependencies: [
                "Core",
                "Encoder",
                "TUI",
                "Explorer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "CoreTests", dependencies: ["Core", "CKernels"]),
        .testTarget(name: "VecTUITests", dependencies: ["VecTUI", "Core"]),
        // Snapshots/ holds the explorer's screen snapshots, read by the tests from the source tree.
        .testTarget(name: "ExplorerTests", dependencies: ["Explorer", "Core", "Encoder", "TUI"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "EncoderTests", dependencies: ["Encoder", "Core", "CKernels"]),
        .testTarget(name: "TUITests", dependencies: ["TUI"]),
    ],
    swiftLanguageModes: [.v6]
)
