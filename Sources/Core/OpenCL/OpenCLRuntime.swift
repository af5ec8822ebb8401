import COpenCL
import Foundation
/// The kind of an OpenCL device, from `CL_DEVICE_TYPE` (a GPU bit wins over the others).
public enum OpenCLDeviceType: String, Sendable, CustomStringConvertible {
    /// `CL_DEVICE_TYPE_GPU`.
    case gpu
    /// `CL_DEVICE_TYPE_CPU` (PoCL's pthread devices).
    case cpu
    /// `CL_DEVICE_TYPE_ACCELERATOR`.
    case accelerator
    /// Anything else (`CL_DEVICE_TYPE_CUSTOM`, …).
    case other

    /// The lower-case name (`gpu`, `cpu`, `accelerator`, `other`).
    public var description: String { rawValue }

    /// Classifies a `cl_device_type` bit field.
    init(bits: cl_device_type) {
        if bits & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 {
            self = .gpu
        } else if bits & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 {
            self = .cpu
        } else if bits & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 {
            self = .accelerator
        } else {
            self = .other
        }
    }
}

/// What the driver says about one OpenCL device.
public struct OpenCLDeviceInfo: Sendable, Equatable, Hashable {
    /// Position in platform/device order over all platforms (0, 1, …): the `N` of `clN`.
    public let index: Int
    /// Position of the device's platform in `clGetPlatformIDs` order.
    public let platformIndex: Int
    /// `CL_PLATFORM_NAME`, e.g. "Portable Computing Language" or "NVIDIA CUDA".
    public let platformName: String
    /// `CL_DEVICE_NAME`.
    public let name: String
    /// `CL_DEVICE_VENDOR`.
    public let vendor: String
    /// GPU, CPU, accelerator or other.
    public let type: OpenCLDeviceType
    /// `CL_DEVICE_GLOBAL_MEM_SIZE` in bytes.
    public let globalMemoryBytes: Int
    /// `CL_DEVICE_MAX_MEM_ALLOC_SIZE`: the largest single buffer, in bytes.
    public let maxAllocationBytes: Int
    /// `CL_DEVICE_LOCAL_MEM_SIZE` in bytes (shared memory per work-group).
    public let localMemoryBytes: Int
    /// `CL_DEVICE_MAX_COMPUTE_UNITS`.
    public let computeUnits: Int
    /// `CL_DEVICE_MAX_WORK_GROUP_SIZE`.
    public let maxWorkGroupSize: Int
    /// True when the device lists `cl_khr_fp16` (half arithmetic; fp16 storage works without it).
    public let supportsFP16: Bool
    /// `CL_DRIVER_VERSION`.
    public let driverVersion: String
    /// `CL_DEVICE_VERSION`, e.g. "OpenCL 3.0 PoCL …".
    public let openCLVersion: String
    /// `CL_DEVICE_AVAILABLE`.
    public let isAvailable: Bool
    /// The `cl_device_id`, as an integer so that the info stays a plain value.
    let handle: UInt

    /// The `cl_device_id` this info was read from.
    var deviceID: cl_device_id? { cl_device_id(bitPattern: handle) }
}

/// Every OpenCL device found, in platform/device order, or none with the reason why.
public struct OpenCLInventory: Sendable, Equatable {
    /// The devices, `devices[i].index == i`.
    public let devices: [OpenCLDeviceInfo]
    /// Why there are no devices (no driver, no platform, a platform with no devices, …), or
    /// a note about platforms that were skipped; nil when everything was found cleanly.
    public let note: String?

    /// Enumerates every platform and device now. Never throws: failures become `note`.
    public static func scan() -> OpenCLInventory {
        var count: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &count)
        if status == clPlatformNotFoundKHR || (status == CL_SUCCESS && count == 0) {
            return OpenCLInventory(devices: [], note: "no OpenCL platform: the ICD loader found no "
                + "vendor driver (none registered in /etc/OpenCL/vendors)")
        }
        guard status == CL_SUCCESS else {
            return OpenCLInventory(devices: [], note: "no OpenCL platform: clGetPlatformIDs failed with "
                + OpenCLError.describe(code: status))
        }
        var platforms = [cl_platform_id?](repeating: nil, count: Int(count))
        let listed = clGetPlatformIDs(count, &platforms, nil)
        guard listed == CL_SUCCESS else {
            return OpenCLInventory(devices: [], note: "no OpenCL platform: clGetPlatformIDs failed with "
                + OpenCLError.describe(code: listed))
        }

        var devices = [OpenCLDeviceInfo]()
        var problems = [String]()
        for (platformIndex, platform) in platforms.enumerated() {
            guard let platform else { continue }
            let platformName = platformString(platform, cl_platform_info(CL_PLATFORM_NAME))
                ?? "platform \(platformIndex)"
            var deviceCount: cl_uint = 0
            let found = clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &deviceCount)
            if found == CL_DEVICE_NOT_FOUND || (found == CL_SUCCESS && deviceCount == 0) {
                problems.append("platform '\(platformName)' has no devices")
                continue
            }
            guard found == CL_SUCCESS else {
                problems.append("platform '\(platformName)': clGetDeviceIDs failed with "
                    + OpenCLError.describe(code: found))
                continue
            }
            var ids = [cl_device_id?](repeating: nil, count: Int(deviceCount))
            let got = clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), deviceCount, &ids, nil)
            guard got == CL_SUCCESS else {
                problems.append("platform '\(platformName)': clGetDeviceIDs failed with "
                    + OpenCLError.describe(code: got))
                continue
            }
            for case let id? in ids {
                devices.append(describe(id, index: devices.count, platformIndex: platformIndex,
                                        platformName: platformName))
            }
        }
        if devices.isEmpty {
            let why = problems.isEmpty ? "no devices" : problems.joined(separator: "; ")
            return OpenCLInventory(devices: [], note: "no OpenCL device: \(why)")
        }
        return OpenCLInventory(devices: devices, note: problems.isEmpty ? nil : problems.joined(separator: "; "))
    }

    /// Reads every field of one device.
    private static func describe(_ id: cl_device_id, index: Int, platformIndex: Int,
                                 platformName: String) -> OpenCLDeviceInfo {
        let extensions = deviceString(id, cl_device_info(CL_DEVICE_EXTENSIONS)) ?? ""
        let typeBits: cl_device_type = deviceValue(id, cl_device_info(CL_DEVICE_TYPE)) ?? 0
        let globalMemory: cl_ulong = deviceValue(id, cl_device_info(CL_DEVICE_GLOBAL_MEM_SIZE)) ?? 0
        let maxAllocation: cl_ulong = deviceValue(id, cl_device_info(CL_DEVICE_MAX_MEM_ALLOC_SIZE)) ?? 0
        let localMemory: cl_ulong = deviceValue(id, cl_device_info(CL_DEVICE_LOCAL_MEM_SIZE)) ?? 0
        let computeUnits: cl_uint = deviceValue(id, cl_device_info(CL_DEVICE_MAX_COMPUTE_UNITS)) ?? 1
        let workGroup: Int = deviceValue(id, cl_device_info(CL_DEVICE_MAX_WORK_GROUP_SIZE)) ?? 1
        let available: cl_bool = deviceValue(id, cl_device_info(CL_DEVICE_AVAILABLE)) ?? cl_bool(CL_TRUE)
        return OpenCLDeviceInfo(
            index: index,
            platformIndex: platformIndex,
            platformName: platformName,
            name: deviceString(id, cl_device_info(CL_DEVICE_NAME)) ?? "device \(index)",
            vendor: deviceString(id, cl_device_info(CL_DEVICE_VENDOR)) ?? "",
            type: OpenCLDeviceType(bits: typeBits),
            globalMemoryBytes: Int(clamping: globalMemory),
            maxAllocationBytes: Int(clamping: maxAllocation),
            localMemoryBytes: Int(clamping: localMemory),
            computeUnits: max(1, Int(computeUnits)),
            maxWorkGroupSize: max(1, workGroup),
            supportsFP16: extensions.split(separator: " ").contains("cl_khr_fp16"),
            driverVersion: deviceString(id, cl_device_info(CL_DRIVER_VERSION)) ?? "",
            openCLVersion: deviceString(id, cl_device_info(CL_DEVICE_VERSION)) ?? "",
            isAvailable: available != 0,
            handle: UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(id))))
    }

    /// A string-valued platform property, without its NUL.
    static func platformString(_ platform: cl_platform_id, _ param: cl_platform_info) -> String? {
        var size = 0
        guard clGetPlatformInfo(platform, param, 0, nil, &size) == CL_SUCCESS, size > 0 else { return nil }
        var bytes = [CChar](repeating: 0, count: size + 1)
        guard clGetPlatformInfo(platform, param, size, &bytes, nil) == CL_SUCCESS else { return nil }
        return cString(bytes)
    }

    /// A string-valued device property, without its NUL.
    static func deviceString(_ device: cl_device_id, _ param: cl_device_info) -> String? {
        var size = 0
        guard clGetDeviceInfo(device, param, 0, nil, &size) == CL_SUCCESS, size > 0 else { return nil }
        var bytes = [CChar](repeating: 0, count: size + 1)
        guard clGetDeviceInfo(device, param, size, &bytes, nil) == CL_SUCCESS else { return nil }
        return cString(bytes)
    }

    /// A fixed-size device property (cl_uint, cl_ulong, size_t, …).
    static func deviceValue<T: FixedWidthInteger>(_ device: cl_device_id, _ param: cl_device_info) -> T? {
        var value = T.zero
        let status = withUnsafeMutableBytes(of: &value) { raw in
            clGetDeviceInfo(device, param, raw.count, raw.baseAddress, nil)
        }
        return status == CL_SUCCESS ? value : nil
    }

    /// Decodes a NUL-terminated C string, trimming the trailing spaces some drivers add.
    private static func cString(_ bytes: [CChar]) -> String {
        let text = bytes.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The process-wide entry point: the device inventory (taken once) and one shared
/// `OpenCLDevice` per device, so each kernel program is compiled once per device per process.
public enum OpenCLRuntime {
    /// The inventory, scanned on first use and then kept (drivers read their settings,
    /// such as `POCL_DEVICES`, once per process anyway).
    public static var inventory: OpenCLInventory { scanned }

    /// The devices of `inventory`, in platform/device order.
    public static var devices: [OpenCLDeviceInfo] { scanned.devices }

    private static let scanned = {
        let inventory = OpenCLInventory.scan()
        FatalSignals.reclaim()  // PoCL's LLVM installed its crash handlers over vectui's
        return inventory
    }()
    private static let opened = Locked([Int: OpenCLDevice]())

    /// The shared device `cl<index>`, opened (context + queue) on first use.
    public static func device(at index: Int) throws -> OpenCLDevice {
        try opened.withLock { opened in
            if let device = opened[index] { return device }
            let device = try open(index)
            opened[index] = device
            return device
        }
    }

    private static func open(_ index: Int) throws -> OpenCLDevice {
        let inventory = scanned
        guard inventory.devices.indices.contains(index) else {
            let reason = inventory.devices.isEmpty
                ? (inventory.note ?? "no OpenCL devices")
                : "there are \(inventory.devices.count) OpenCL devices (cl0…cl\(inventory.devices.count - 1))"
            throw OpenCLError.noSuchDevice(index: index, reason: reason)
        }
        let device = try OpenCLDevice(info: inventory.devices[index])
        FatalSignals.reclaim()  // the driver may install crash handlers when it opens a device
        return device
    }
}
