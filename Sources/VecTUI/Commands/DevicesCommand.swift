import ArgumentParser
import Core

/// `vectui devices`: the host and every OpenCL device, with memory and what the ledger holds.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List the host and the OpenCL devices an index can live on.")

    @Flag(help: "Print one JSON object {\"devices\": […]}.") var json = false

    func run() throws {
        try reportingErrors("listing the devices") {
            let registry = DeviceRegistry.shared
            let host = HostInfo.current()
            if json {
                var devices = [JSONValue]()
                for device in registry.devices {
                    var fields: [(String, JSONValue)] = [
                        ("name", .string(device.name)), ("aliases", .array(device.aliases.map { .string($0) })),
                        ("type", .string(device.type)), ("device_name", .string(device.displayName)),
                        ("vendor", .string(device.vendor)), ("memory_bytes", .int(Int64(device.memoryBytes))),
                        ("max_allocation_bytes", .int(Int64(device.maxAllocationBytes))),
                        ("compute_units", .int(Int64(device.computeUnits))), ("fp16", .bool(device.supportsFP16)),
                        ("driver_version", .string(device.driverVersion)),
                    ]
                    if device.openCLIndex == nil {
                        fields += [("available_bytes", .int(Int64(host.availableMemoryBytes))),
                                   ("process_resident_anonymous_bytes", .int(Int64(host.residentAnonymousBytes))),
                                   ("process_resident_file_bytes", .int(Int64(host.residentFileBytes)))]
                    }
                    devices.append(.object(fields))
                }
                let blas = BLAS.info
                let compute: [(String, JSONValue)] = [
                    ("simd", .string(CPUFeatures.simd.name)), ("simd_supported", .string(CPUFeatures.supported.name)),
                    ("avx512_bf16", .bool(CPUFeatures.avx512BF16)),
                    ("blas", .object([
                        ("library", .string(blas.library)), ("config", .string(blas.config)),
                        ("core", .string(blas.core)), ("core_simd", .string(blas.coreLevel.name)),
                        ("chosen_by", .string(blas.chosenBy)),
                        ("replaced_core", blas.replacedCore.map { .string($0) } ?? .null),
                    ])),
                ]
                var top: [(String, JSONValue)] = [("devices", .array(devices)), ("cpu", .object(compute))]
                if let note = registry.note { top.append(("note", .string(note))) }
                print(JSONValue.object(top).text)
                return
            }
            print("NAME   TYPE         MEMORY      MAX ALLOC   UNITS  FP16  DEVICE")
            for device in registry.devices {
                let name = ([device.name] + device.aliases).joined(separator: "/")
                print(name.padding(toLength: 6, withPad: " ", startingAt: 0) + " "
                    + device.type.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                    + ByteSize.format(device.memoryBytes).padding(toLength: 11, withPad: " ", startingAt: 0) + " "
                    + ByteSize.format(device.maxAllocationBytes).padding(toLength: 11, withPad: " ", startingAt: 0) + " "
                    + String(device.computeUnits).padding(toLength: 6, withPad: " ", startingAt: 0) + " "
                    + (device.supportsFP16 ? "yes " : "no  ") + "  " + device.displayName
                    + (device.driverVersion.isEmpty ? "" : " (driver \(device.driverVersion))"))
            }
            print("host: \(host.cores) cores, \(ByteSize.format(host.availableMemoryBytes)) of \(ByteSize.format(host.totalMemoryBytes)) available;"
                + " this process: \(ByteSize.format(host.residentAnonymousBytes)) anonymous, \(ByteSize.format(host.residentFileBytes)) file-backed")
            print("cpu: \(Self.computeSummary)")
            if let note = registry.note { print("note: \(note)") }
        }
    }

    /// One line on the host's kernels: the SIMD level and the BLAS core in use, and who chose it.
    static var computeSummary: String {
        let blas = BLAS.info
        let simd = CPUFeatures.simd == CPUFeatures.supported
            ? "SIMD \(CPUFeatures.simd.name)" : "SIMD \(CPUFeatures.simd.name) (VECTUI_SIMD; the CPU runs \(CPUFeatures.supported.name))"
        let chosen = blas.replacedCore.map { "set by vectui, OpenBLAS had chosen \($0)" } ?? "chosen by \(blas.chosenBy)"
        return "\(simd); BLAS \(blas.config), kernels \(blas.core) (\(blas.coreLevel.name), \(chosen))"
    }
}
