import ArgumentParser
import Core

/// `vectui plan INDEX`: what each placement would hold and peak at per device, without
/// moving anything or reading the vectors.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Predict memory per device for every placement of an index, without moving it.")

    @Argument(help: "A FAISS index file (only its header is read).") var index: String
    @Option(help: "Devices to plan for: cl0, gpu0, cl0,cl1 or all (default: all OpenCL devices and assumed GPUs).")
    var devices: String?
    @Flag(help: "Ask for fp16 storage in the requested placement.") var fp16 = false
    @Flag(help: "Ask for a sharded placement (the default for several devices).") var shard = false
    @Flag(help: "Ask for a replicated placement.") var replicate = false
    @Option(name: .customLong("assume-gpu"), help: "Plan for a GPU this machine lacks, e.g. 80GiB (repeatable).")
    var assumeGPU: [String] = []
    @Option(name: .customLong("temp-memory"), help: "Search scratch per device (default: min(1 GiB, 10% of the device)).")
    var tempMemory: String?
    @Option(name: .customLong("device-memory"), help: "Cap a device's memory, e.g. gpu0=2GiB (repeatable).")
    var deviceMemory: [String] = []
    @Option(name: .customLong("chunk-size"), help: "Upload chunk (default 64MiB).") var chunkSize: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        try reportingErrors("planning \(index)") {
            let opened = try OpenedIndex(path: index)
            guard ((opened.index as? IDMapIndex)?.inner ?? opened.index) is FlatRows else {
                throw DeviceError.notMovable(className: opened.index.faissClassName)
            }
            let shape = IndexMover.shape(of: opened.index)
            let registry = DeviceRegistry.shared
            var placementOptions = PlacementOptions()
            placementOptions.tempMemory = tempMemory
            placementOptions.deviceMemory = deviceMemory
            placementOptions.chunkSize = chunkSize
            let options = try placementOptions.moveOptions(registry: registry)

            var planDevices = [PlanDevice]()
            if let devices {
                planDevices += try registry.resolve(devices).map { device in
                    guard device.openCLIndex != nil else { throw UsageError(description: "plan is for OpenCL devices; the CPU needs no plan") }
                    return options.planDevice(device)
                }
            }
            for (i, text) in assumeGPU.enumerated() {
                guard let bytes = ByteSize.parse(text), bytes > 0 else { throw UsageError(description: "--assume-gpu: '\(text)' is not a size") }
                let name = "assumed\(i)"
                let temp = options.tempBudgetBytes ?? PlanDevice.defaultTempBudget(memoryBytes: bytes)
                // NVIDIA drivers cap one allocation at a quarter of the card.
                planDevices.append(PlanDevice(name: name, capacityBytes: min(bytes, options.memoryBudgets[name] ?? .max),
                                              maxAllocationBytes: bytes / 4, tempBudgetBytes: temp))
            }
            if devices == nil && assumeGPU.isEmpty { planDevices = registry.accelerators.map { options.planDevice($0) } }
            guard !planDevices.isEmpty else {
                throw UsageError(description: "no OpenCL devices to plan for\(registry.note.map { " (\($0))" } ?? ""); use --assume-gpu SIZE")
            }

            let layout: Layout = planDevices.count == 1 ? .single : (replicate ? .replicate : .shard)
            let requested = PlacementPlanner.evaluate(shape, on: planDevices, layout: layout, precision: fp16 ? .fp16 : .fp32,
                                                      chunkBytes: options.chunkBytes)
            let all = PlacementPlanner.options(shape, devices: planDevices, chunkBytes: options.chunkBytes)
            let compressed = PlacementPlanner.compressedEstimates(shape)
            // FAISS's index_cpu_to_gpu with fp16 holds the fp32 copy and the fp16 copy at once.
            let faissFP16Peak = shape.vectorBytes(.fp32) + shape.vectorBytes(.fp16)

            if json {
                func encode(_ option: PlanOption) -> JSONValue {
                    .object([("precision", .string(option.precision.rawValue)), ("devices", .int(Int64(option.devices.count))),
                             ("device_names", .array(option.devices.map { .string($0.name) })),
                             ("layout", .string(option.layout.rawValue)),
                             ("rows_per_device", .array(option.rowsPerDevice.map { .int(Int64($0)) })),
                             ("resident_bytes_per_device", .array(option.residentBytesPerDevice.map { .int(Int64($0)) })),
                             ("peak_bytes_per_device", .array(option.peakBytesPerDevice.map { .int(Int64($0)) })),
                             ("capacity_bytes_per_device", .array(option.devices.map { .int(Int64($0.capacityBytes)) })),
                             ("slabs_per_device", .array(option.slabsPerDevice.map { .int(Int64($0)) })),
                             ("chunk_bytes", .int(Int64(option.chunkBytes))),
                             ("scratch_bytes_per_device", .array(option.devices.map { .int(Int64($0.tempBudgetBytes)) })),
                             ("fits", .bool(option.fits))])
                }
                print(JSONValue.object([
                    ("index", .object([("path", .string(opened.path)), ("type", .string(shape.className)),
                                       ("ntotal", .int(Int64(shape.rows))), ("d", .int(Int64(shape.dimension))),
                                       ("fp32_bytes", .int(Int64(shape.vectorBytes(.fp32)))),
                                       ("fp16_bytes", .int(Int64(shape.vectorBytes(.fp16))))])),
                    ("requested", encode(requested)),
                    ("options", .array(all.map(encode))),
                    ("compressed", .array(compressed.map { .object([("factory", .string($0.factory)), ("bytes", .int(Int64($0.bytes))),
                                                                    ("note", .string($0.note))]) })),
                    ("faiss_fp16_copy_peak_bytes", .int(Int64(faissFP16Peak))),
                ]).text)
                return
            }
            print("\(opened.path): \(shape.className) \(shape.rows) × \(shape.dimension): \(ByteSize.format(shape.vectorBytes(.fp32))) fp32, "
                + "\(ByteSize.format(shape.vectorBytes(.fp16))) fp16 (vectors not read)")
            print("devices: " + planDevices.map { "\($0.name) \(ByteSize.format($0.capacityBytes)) (max allocation \(ByteSize.format($0.maxAllocationBytes)), scratch \(ByteSize.format($0.tempBudgetBytes)))" }.joined(separator: "; "))
            print("")
            print("PLACEMENT                                   RESIDENT/DEVICE  PEAK/DEVICE  SLABS  FITS")
            for option in all {
                print(option.summary.padding(toLength: 43, withPad: " ", startingAt: 0) + " "
                    + ByteSize.format(option.residentBytesPerDevice.max() ?? 0).padding(toLength: 16, withPad: " ", startingAt: 0) + " "
                    + ByteSize.format(option.peakBytesPerDevice.max() ?? 0).padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                    + String(option.slabsPerDevice.max() ?? 0).padding(toLength: 6, withPad: " ", startingAt: 0) + " "
                    + (option.fits ? "yes" : "no"))
            }
            print("")
            print("compressed instead (after `vectui convert`): " + compressed.map { "\($0.factory) ≈ \(ByteSize.format($0.bytes))" }.joined(separator: ", "))
            print("for comparison, FAISS's index_cpu_to_gpu with fp16 holds both copies at once: peak ≈ \(ByteSize.format(faissFP16Peak))")
            print("")
            if requested.fits {
                print("requested \(requested.summary): fits (peak \(ByteSize.format(requested.peakBytesPerDevice.max() ?? 0)) per device)")
            } else {
                print("requested: " + String(describing: PlacementRefusal(shape: shape, requested: requested,
                                                                         alternatives: all.filter(\.fits), compressed: compressed)))
            }
        }
    }
}
