import ArgumentParser
import Core

/// Where a command runs its index: `--device`, layout and precision, and the memory limits.
struct PlacementOptions: ParsableArguments {
    @Option(help: "Where the index lives: cpu, cl0, gpu0, cl0,cl1 or all (every OpenCL device).")
    var device: String = "cpu"
    @Flag(help: "Split rows over the devices (the default for several devices).") var shard = false
    @Flag(help: "A full copy on each device; queries are split.") var replicate = false
    @Flag(help: "Store vectors on the device as fp16 (computed in fp32).") var fp16 = false
    @Option(name: .customLong("temp-memory"), help: "Search scratch per device (default: min(1 GiB, 10% of the device)).")
    var tempMemory: String?
    @Option(name: .customLong("device-memory"), help: "Cap a device's memory, e.g. gpu0=2GiB (repeatable).")
    var deviceMemory: [String] = []
    @Option(name: .customLong("chunk-size"), help: "Upload/download chunk (default 64MiB).")
    var chunkSize: String?

    func validate() throws {
        if shard && replicate { throw ValidationError("--shard and --replicate exclude each other") }
    }

    /// The move limits these options describe.
    func moveOptions(registry: DeviceRegistry) throws -> MoveOptions {
        var options = MoveOptions()
        if let chunkSize {
            guard let bytes = ByteSize.parse(chunkSize), bytes > 0 else { throw UsageError(description: "--chunk-size: '\(chunkSize)' is not a size") }
            options.chunkBytes = bytes
        }
        if let tempMemory {
            guard let bytes = ByteSize.parse(tempMemory), bytes > 0 else { throw UsageError(description: "--temp-memory: '\(tempMemory)' is not a size") }
            options.tempBudgetBytes = bytes
        }
        for entry in deviceMemory {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let bytes = ByteSize.parse(parts[1]) else {
                throw UsageError(description: "--device-memory: '\(entry)' is not NAME=SIZE (e.g. gpu0=2GiB)")
            }
            options.memoryBudgets[try registry.device(named: parts[0]).name] = bytes
        }
        return options
    }

    /// The requested placement.
    func target(registry: DeviceRegistry) throws -> PlacementTarget {
        let devices = try registry.resolve(device)
        return PlacementTarget(devices: devices, layout: replicate ? .replicate : .shard, precision: fp16 ? .fp16 : .fp32)
    }

    /// Places the opened index where asked (a no-op for cpu), reporting the move on stderr.
    func place(_ index: any VectorIndex, registry: DeviceRegistry = .shared) throws -> any VectorIndex {
        try placeTimed(index, registry: registry).index
    }

    /// `place`, also returning the seconds the move took (0 when nothing moved).
    func placeTimed(_ index: any VectorIndex, registry: DeviceRegistry = .shared) throws -> (index: any VectorIndex, seconds: Double) {
        let target = try target(registry: registry)
        if target.isHost && !fp16 { return (index, 0) }
        if target.isHost { throw UsageError(description: "--fp16 is for OpenCL devices; the CPU keeps fp32") }
        let start = monotonicSeconds()
        let moved = try IndexMover.move(index, to: target, candidates: registry.accelerators,
                                        options: try moveOptions(registry: registry), registry: registry)
        let seconds = monotonicSeconds() - start
        let bytes = target.devices.reduce(0) { $0 + MemoryLedger.shared.currentBytes(device: $1.name, kind: .vectors) }
        printToStderr(String(format: "placed %@ (%@) in %.2f s: %@ of vectors", index.faissClassName, placement(of: moved),
                             seconds, ByteSize.format(bytes)))
        return (moved, seconds)
    }
}

/// Where an index's vectors live, for people.
func placement(of index: any VectorIndex) -> String {
    if let wrapper = index as? IDMapIndex { return placement(of: wrapper.inner) }
    return (index as? FlatRows)?.placementDescription ?? "host RAM"
}
