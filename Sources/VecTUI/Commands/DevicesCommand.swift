import ArgumentParser
import Core

/// `vectui devices`: the host and every OpenCL device, with memory and what the ledger holds.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List the host and the OpenCL devices an index can live on.")

    @Flag(help: "Print one JSON object {\"devices\": […]}.") var json = false

    func run() throws {
        try reportingErrors {
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
                var top: [(String, JSONValue)] = [("devices", .array(devices))]
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
            if let note = registry.note { print("note: \(note)") }
        }
    }
}
