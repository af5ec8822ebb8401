/// Every device an index can live on, under stable names: `cpu` for the host, `cl0`, `cl1`, …
/// for OpenCL devices in platform/device order, and `gpu0`, `gpu1`, … as aliases for the
/// GPU-type ones. No OpenCL runtime or no devices is not an error: the host alone, with a note.
public final class DeviceRegistry: Sendable {
    /// One device as the user sees it.
    public struct Device: Sendable, Equatable {
        public let name: String
        public let aliases: [String]
        /// `host`, or the OpenCL type: `gpu`, `cpu`, `accelerator`, `other`.
        public let type: String
        public let displayName: String
        public let vendor: String
        public let memoryBytes: Int
        public let maxAllocationBytes: Int
        public let computeUnits: Int
        public let supportsFP16: Bool
        public let driverVersion: String
        /// The OpenCL inventory index, nil for the host.
        public let openCLIndex: Int?
    }

    /// The process-wide registry (the OpenCL inventory is taken once per process).
    public static let shared = DeviceRegistry(inventory: OpenCLRuntime.inventory)

    public let devices: [Device]
    /// Why OpenCL devices are missing, if they are.
    public let note: String?

    /// A registry over an OpenCL inventory (tests may pass their own).
    public init(inventory: OpenCLInventory) {
        let host = HostInfo.current()
        var devices = [Device(name: MemoryLedger.hostDevice, aliases: [], type: "host", displayName: "host CPU",
                              vendor: "", memoryBytes: host.totalMemoryBytes, maxAllocationBytes: host.totalMemoryBytes,
                              computeUnits: host.cores, supportsFP16: true, driverVersion: "", openCLIndex: nil)]
        var gpus = 0
        for info in inventory.devices {
            var aliases = [String]()
            if info.type == .gpu {
                aliases.append("gpu\(gpus)")
                gpus += 1
            }
            devices.append(Device(name: "cl\(info.index)", aliases: aliases, type: info.type.rawValue,
                                  displayName: info.name, vendor: info.vendor, memoryBytes: info.globalMemoryBytes,
                                  maxAllocationBytes: info.maxAllocationBytes, computeUnits: info.computeUnits,
                                  supportsFP16: info.supportsFP16, driverVersion: info.driverVersion, openCLIndex: info.index))
        }
        self.devices = devices
        note = inventory.note
    }

    /// The OpenCL devices (everything but the host).
    public var accelerators: [Device] { devices.filter { $0.openCLIndex != nil } }

    /// The device called `name` (or with that alias).
    public func device(named name: String) throws -> Device {
        let wanted = name.lowercased()
        guard let device = devices.first(where: { $0.name == wanted || $0.aliases.contains(wanted) }) else {
            throw DeviceError.unknownDevice(name, available: devices.map { ([$0.name] + $0.aliases).joined(separator: "/") },
                                            note: note)
        }
        return device
    }

    /// Resolves a `--device` value: `cpu`, `cl0`, `gpu1`, `cl0,cl1`, or `all` (every OpenCL device).
    public func resolve(_ spec: String) throws -> [Device] {
        if spec.lowercased() == "all" {
            guard !accelerators.isEmpty else { throw DeviceError.noAccelerators(note: note) }
            return accelerators
        }
        let names = spec.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else { throw DeviceError.unknownDevice(spec, available: devices.map(\.name), note: note) }
        var out = [Device]()
        for name in names {
            let device = try self.device(named: name)
            guard !out.contains(device) else { throw DeviceError.repeatedDevice(device.name) }
            out.append(device)
        }
        if out.count > 1, out.contains(where: { $0.openCLIndex == nil }) {
            throw DeviceError.hostInDeviceList
        }
        return out
    }

    /// The opened OpenCL device behind `device`.
    public func openCL(_ device: Device) throws -> OpenCLDevice {
        guard let index = device.openCLIndex else { throw DeviceError.notAnOpenCLDevice(device.name) }
        return try OpenCLRuntime.device(at: index)
    }
}

/// Mistakes in naming or using devices.
public enum DeviceError: Error, Equatable, CustomStringConvertible {
    case unknownDevice(String, available: [String], note: String?)
    case noAccelerators(note: String?)
    case repeatedDevice(String)
    case hostInDeviceList
    case notAnOpenCLDevice(String)
    case notMovable(className: String)
    case needsHost(operation: String, placement: String)
    case outOfMemory(device: String, detail: String)

    public var description: String {
        switch self {
        case let .unknownDevice(name, available, note):
            return "no device named '\(name)'; devices here: \(available.joined(separator: ", "))" + (note.map { " (\($0))" } ?? "")
        case let .noAccelerators(note):
            return "no OpenCL devices to use" + (note.map { ": \($0)" } ?? "")
        case let .repeatedDevice(name):
            return "device \(name) is named twice"
        case .hostInDeviceList:
            return "cpu cannot be combined with OpenCL devices in one placement"
        case let .notAnOpenCLDevice(name):
            return "\(name) is not an OpenCL device"
        case let .notMovable(className):
            return "\(className) cannot be placed on OpenCL devices (only flat indexes, with or without an IDMap, can)"
        case let .needsHost(operation, placement):
            return "\(operation) needs the index on the CPU; it is \(placement) (move it to cpu first)"
        case let .outOfMemory(device, detail):
            return "\(device) ran out of memory: \(detail); the index stays where it was"
        }
    }
}
