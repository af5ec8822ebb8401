import COpenCL

/// A failure in the OpenCL layer. Every case names the device; those that come from a CL call
/// also name the call and the CL error code, printed with its symbolic name.
public enum OpenCLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A CL call returned an error code.
    case callFailed(device: String, call: String, code: Int32)
    /// A buffer could not be allocated (at creation, or on first use when `touch` was asked).
    case allocationFailed(device: String, bytes: Int, call: String, code: Int32)
    /// A single buffer was asked for that is larger than the device's maximum allocation.
    case allocationTooLarge(device: String, bytes: Int, maxAllocationBytes: Int)
    /// A kernel program did not compile; `log` is the compiler's build log.
    case buildFailed(device: String, program: String, code: Int32, log: String)
    /// An argument is out of range for the operation (k too large, a dimension mismatch, …).
    case invalidArgument(device: String, message: String)
    /// No OpenCL device with this inventory index exists; `reason` says what the inventory saw.
    case noSuchDevice(index: Int, reason: String)

    /// The CL error code behind this error, where there is one.
    public var code: Int32? {
        switch self {
        case .callFailed(_, _, let code), .allocationFailed(_, _, _, let code),
             .buildFailed(_, _, let code, _):
            return code
        case .allocationTooLarge, .invalidArgument, .noSuchDevice:
            return nil
        }
    }

    /// True for out-of-memory conditions (device or host), whatever call reported them.
    public var isOutOfMemory: Bool {
        switch self {
        case .allocationFailed, .allocationTooLarge: return true
        default:
            guard let code else { return false }
            return code == CL_MEM_OBJECT_ALLOCATION_FAILURE || code == CL_OUT_OF_RESOURCES
                || code == CL_OUT_OF_HOST_MEMORY
        }
    }

    /// One line: the device, what failed, and the CL error's name and number.
    public var description: String {
        switch self {
        case let .callFailed(device, call, code):
            return "OpenCL device \(device): \(call) failed with \(OpenCLError.describe(code: code))"
        case let .allocationFailed(device, bytes, call, code):
            return "OpenCL device \(device): allocating \(bytes) bytes failed in \(call) with "
                + OpenCLError.describe(code: code)
        case let .allocationTooLarge(device, bytes, maxAllocationBytes):
            return "OpenCL device \(device): a buffer of \(bytes) bytes exceeds the device's "
                + "maximum single allocation of \(maxAllocationBytes) bytes"
        case let .buildFailed(device, program, code, log):
            let trimmed = log.trimmingTrailingWhitespace()
            return "OpenCL device \(device): building program '\(program)' failed with "
                + OpenCLError.describe(code: code) + (trimmed.isEmpty ? "" : "; build log:\n\(trimmed)")
        case let .invalidArgument(device, message):
            return "OpenCL device \(device): \(message)"
        case let .noSuchDevice(index, reason):
            return "no OpenCL device cl\(index): \(reason)"
        }
    }

    /// `CL_NAME (code)`, or `CL error code` for a code not in the table.
    public static func describe(code: Int32) -> String {
        if let name = name(ofCode: code) { return "\(name) (\(code))" }
        return "CL error \(code)"
    }

    /// The symbolic name of a CL error code (`CL_OUT_OF_RESOURCES` for −5), if known.
    public static func name(ofCode code: Int32) -> String? { errorNames[code] }

    /// OpenCL 1.0–3.0 error codes, and the extension codes an ICD loader or driver may return.
    static let errorNames: [Int32: String] = [
        0: "CL_SUCCESS",
        -1: "CL_DEVICE_NOT_FOUND",
        -2: "CL_DEVICE_NOT_AVAILABLE",
        -3: "CL_COMPILER_NOT_AVAILABLE",
        -4: "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        -5: "CL_OUT_OF_RESOURCES",
        -6: "CL_OUT_OF_HOST_MEMORY",
        -7: "CL_PROFILING_INFO_NOT_AVAILABLE",
        -8: "CL_MEM_COPY_OVERLAP",
        -9: "CL_IMAGE_FORMAT_MISMATCH",
        -10: "CL_IMAGE_FORMAT_NOT_SUPPORTED",
        -11: "CL_BUILD_PROGRAM_FAILURE",
        -12: "CL_MAP_FAILURE",
        -13: "CL_MISALIGNED_SUB_BUFFER_OFFSET",
        -14: "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
        -15: "CL_COMPILE_PROGRAM_FAILURE",
        -16: "CL_LINKER_NOT_AVAILABLE",
        -17: "CL_LINK_PROGRAM_FAILURE",
        -18: "CL_DEVICE_PARTITION_FAILED",
        -19: "CL_KERNEL_ARG_INFO_NOT_AVAILABLE",
        -30: "CL_INVALID_VALUE",
        -31: "CL_INVALID_DEVICE_TYPE",
        -32: "CL_INVALID_PLATFORM",
        -33: "CL_INVALID_DEVICE",
        -34: "CL_INVALID_CONTEXT",
        -35: "CL_INVALID_QUEUE_PROPERTIES",
        -36: "CL_INVALID_COMMAND_QUEUE",
        -37: "CL_INVALID_HOST_PTR",
        -38: "CL_INVALID_MEM_OBJECT",
        -39: "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR",
        -40: "CL_INVALID_IMAGE_SIZE",
        -41: "CL_INVALID_SAMPLER",
        -42: "CL_INVALID_BINARY",
        -43: "CL_INVALID_BUILD_OPTIONS",
        -44: "CL_INVALID_PROGRAM",
        -45: "CL_INVALID_PROGRAM_EXECUTABLE",
        -46: "CL_INVALID_KERNEL_NAME",
        -47: "CL_INVALID_KERNEL_DEFINITION",
        -48: "CL_INVALID_KERNEL",
        -49: "CL_INVALID_ARG_INDEX",
        -50: "CL_INVALID_ARG_VALUE",
        -51: "CL_INVALID_ARG_SIZE",
        -52: "CL_INVALID_KERNEL_ARGS",
        -53: "CL_INVALID_WORK_DIMENSION",
        -54: "CL_INVALID_WORK_GROUP_SIZE",
        -55: "CL_INVALID_WORK_ITEM_SIZE",
        -56: "CL_INVALID_GLOBAL_OFFSET",
        -57: "CL_INVALID_EVENT_WAIT_LIST",
        -58: "CL_INVALID_EVENT",
        -59: "CL_INVALID_OPERATION",
        -60: "CL_INVALID_GL_OBJECT",
        -61: "CL_INVALID_BUFFER_SIZE",
        -62: "CL_INVALID_MIP_LEVEL",
        -63: "CL_INVALID_GLOBAL_WORK_SIZE",
        -64: "CL_INVALID_PROPERTY",
        -65: "CL_INVALID_IMAGE_DESCRIPTOR",
        -66: "CL_INVALID_COMPILER_OPTIONS",
        -67: "CL_INVALID_LINKER_OPTIONS",
        -68: "CL_INVALID_DEVICE_PARTITION_COUNT",
        -69: "CL_INVALID_PIPE_SIZE",
        -70: "CL_INVALID_DEVICE_QUEUE",
        -71: "CL_INVALID_SPEC_ID",
        -72: "CL_MAX_SIZE_RESTRICTION_EXCEEDED",
        -1000: "CL_INVALID_GL_SHAREGROUP_REFERENCE_KHR",
        -1001: "CL_PLATFORM_NOT_FOUND_KHR",
        -1057: "CL_DEVICE_PARTITION_FAILED_EXT",
        -1058: "CL_INVALID_PARTITION_COUNT_EXT",
        -1059: "CL_INVALID_PARTITION_NAME_EXT",
        -1121: "CL_CONTEXT_TERMINATED_KHR",
    ]
}

/// `CL_PLATFORM_NOT_FOUND_KHR` (cl_ext.h): the ICD loader found no vendor driver.
let clPlatformNotFoundKHR: Int32 = -1001

private extension String {
    /// The string without trailing spaces, tabs, newlines or NULs.
    func trimmingTrailingWhitespace() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace || last == "\0" { scalars.removeLast() }
        return String(scalars)
    }
}
