import COpenCL
import Foundation

/// One OpenCL device opened for work: a context and an in-order command queue, plus a cache
/// of built programs (each kernel source is compiled once per device). Thread-safe: OpenCL
/// queues are, the program cache is locked, and kernels are created per call.
/// Prefer `OpenCLRuntime.device(at:)`, which shares one instance per device.
// @unchecked: the stored properties are constants except `programs`, used only under `programLock`;
// the handles are OpaquePointers (not Sendable to Swift) to a context, queue and programs that
// OpenCL 1.2 makes thread-safe (every call but clSetKernelArg, and kernels are made per call).
public final class OpenCLDevice: @unchecked Sendable, CustomStringConvertible {
    /// What the driver says about the device.
    public let info: OpenCLDeviceInfo
    let deviceID: cl_device_id
    let context: cl_context
    let queue: cl_command_queue

    /// Tests only: forces the scoring kernel's work-group size (as on GPUs) on any device.
    let rowGroupOverride: Int?

    private let programLock = NSLock()
    private var programs = [String: cl_program]()

    /// Opens a new context and queue on the device (a separate program cache from the shared one).
    public convenience init(info: OpenCLDeviceInfo) throws {
        try self.init(info: info, rowGroupOverride: nil)
    }

    /// As `init(info:)`, with the scoring kernel's work-group size forced (tests only).
    init(info: OpenCLDeviceInfo, rowGroupOverride: Int?) throws {
        self.info = info
        self.rowGroupOverride = rowGroupOverride
        let label = "cl\(info.index) (\(info.name))"
        guard let id = info.deviceID else {
            throw OpenCLError.invalidArgument(device: label, message: "the device handle is null")
        }
        deviceID = id
        var status: cl_int = CL_SUCCESS
        var ids: [cl_device_id?] = [id]
        guard let context = clCreateContext(nil, 1, &ids, nil, nil, &status), status == CL_SUCCESS else {
            throw OpenCLError.callFailed(device: label, call: "clCreateContext", code: status)
        }
        // clCreateCommandQueue is deprecated in 2.0 but is the 1.2 call every driver has.
        guard let queue = clCreateCommandQueue(context, id, 0, &status), status == CL_SUCCESS else {
            clReleaseContext(context)
            throw OpenCLError.callFailed(device: label, call: "clCreateCommandQueue", code: status)
        }
        self.context = context
        self.queue = queue
    }

    deinit {
        clFinish(queue)
        for program in programs.values { clReleaseProgram(program) }
        clReleaseCommandQueue(queue)
        clReleaseContext(context)
    }

    /// `clN (device name)`, the way errors name the device.
    public var description: String { "cl\(info.index) (\(info.name))" }

    /// Allocates a device buffer of `byteCount` bytes. With `touch`, writes one byte so that a
    /// driver that allocates lazily (PoCL) reports an out-of-memory failure now, not at first use.
    public func makeBuffer(byteCount: Int, touch: Bool = false) throws -> OpenCLBuffer {
        try OpenCLBuffer(device: self, byteCount: byteCount, touch: touch)
    }

    /// Blocks until every command queued on the device has finished.
    public func finish() throws {
        try check(clFinish(queue), "clFinish")
    }

    // MARK: - Internals shared by buffers and kernels

    /// Throws `callFailed` unless `status` is CL_SUCCESS.
    func check(_ status: cl_int, _ call: String) throws {
        if status != CL_SUCCESS {
            throw OpenCLError.callFailed(device: description, call: call, code: status)
        }
    }

    /// An `invalidArgument` error naming this device.
    func invalid(_ message: String) -> OpenCLError {
        .invalidArgument(device: description, message: message)
    }

    /// The built program for `source`, compiling it on first use (once per device).
    func program(named name: String, source: String, options: String = "") throws -> cl_program {
        programLock.lock()
        defer { programLock.unlock() }
        let key = name + "\u{0}" + options
        if let program = programs[key] { return program }

        var status: cl_int = CL_SUCCESS
        let created: cl_program? = source.withCString { text -> cl_program? in
            var strings: [UnsafePointer<CChar>?] = [text]
            return clCreateProgramWithSource(context, 1, &strings, nil, &status)
        }
        guard let program = created, status == CL_SUCCESS else {
            throw OpenCLError.callFailed(device: description, call: "clCreateProgramWithSource", code: status)
        }
        var ids: [cl_device_id?] = [deviceID]
        let built = clBuildProgram(program, 1, &ids, options, nil, nil)
        if built != CL_SUCCESS {
            let log = buildLog(program)
            clReleaseProgram(program)
            throw OpenCLError.buildFailed(device: description, program: name, code: built, log: log)
        }
        programs[key] = program
        return program
    }

    /// The compiler's log for `program` on this device.
    private func buildLog(_ program: cl_program) -> String {
        var size = 0
        let param = cl_program_build_info(CL_PROGRAM_BUILD_LOG)
        guard clGetProgramBuildInfo(program, deviceID, param, 0, nil, &size) == CL_SUCCESS, size > 0 else {
            return ""
        }
        var bytes = [CChar](repeating: 0, count: size + 1)
        guard clGetProgramBuildInfo(program, deviceID, param, size, &bytes, nil) == CL_SUCCESS else { return "" }
        return bytes.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// A new kernel object for `name` in `program` (kernels are not shared between threads).
    func kernel(_ name: String, in program: cl_program) throws -> OpenCLKernel {
        var status: cl_int = CL_SUCCESS
        guard let kernel = clCreateKernel(program, name, &status), status == CL_SUCCESS else {
            throw OpenCLError.callFailed(device: description, call: "clCreateKernel(\(name))", code: status)
        }
        return OpenCLKernel(kernel: kernel, name: name, device: self)
    }
}

/// A kernel object with typed argument setters and a launcher. Not thread-safe: one per call.
final class OpenCLKernel {
    let kernel: cl_kernel
    let name: String
    unowned let device: OpenCLDevice

    init(kernel: cl_kernel, name: String, device: OpenCLDevice) {
        self.kernel = kernel
        self.name = name
        self.device = device
    }

    deinit { clReleaseKernel(kernel) }

    /// Sets argument `index` to a buffer.
    func set(_ index: Int, _ buffer: OpenCLBuffer) throws {
        var mem: cl_mem? = buffer.mem
        let status = clSetKernelArg(kernel, cl_uint(index), MemoryLayout<cl_mem?>.size, &mem)
        try device.check(status, "clSetKernelArg(\(name), \(index))")
    }

    /// Sets argument `index` to an OpenCL `uint`; the value must fit.
    func set(_ index: Int, uint value: Int) throws {
        guard let narrow = cl_uint(exactly: value) else {
            throw device.invalid("kernel \(name) argument \(index) = \(value) does not fit in 32 bits")
        }
        try setValue(index, narrow)
    }

    /// Sets argument `index` to an OpenCL `ulong`.
    func set(_ index: Int, ulong value: Int) throws {
        try setValue(index, cl_ulong(value))
    }

    /// Sets argument `index` to an OpenCL `int`.
    func set(_ index: Int, int value: Int32) throws {
        try setValue(index, value)
    }

    private func setValue<T: FixedWidthInteger>(_ index: Int, _ value: T) throws {
        let status = withUnsafeBytes(of: value) { bytes in
            clSetKernelArg(kernel, cl_uint(index), bytes.count, bytes.baseAddress)
        }
        try device.check(status, "clSetKernelArg(\(name), \(index))")
    }

    /// The most work-items per work-group this kernel can run with on the device.
    var maxWorkGroupSize: Int {
        var size = 0
        let status = clGetKernelWorkGroupInfo(kernel, device.deviceID, cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE),
                                              MemoryLayout<Int>.size, &size, nil)
        return status == CL_SUCCESS ? max(1, size) : 1
    }

    /// Enqueues the kernel over `global` work-items (1 or 2 dimensions), with `local` work-group
    /// sizes when given (each global size must then be a multiple).
    func enqueue(global: [Int], local: [Int]? = nil) throws {
        let globalSizes = global.map { max($0, 1) }
        let status = globalSizes.withUnsafeBufferPointer { g -> cl_int in
            if let local {
                return local.withUnsafeBufferPointer { l in
                    clEnqueueNDRangeKernel(device.queue, kernel, cl_uint(g.count), nil, g.baseAddress,
                                           l.baseAddress, 0, nil, nil)
                }
            }
            return clEnqueueNDRangeKernel(device.queue, kernel, cl_uint(g.count), nil, g.baseAddress,
                                          nil, 0, nil, nil)
        }
        try device.check(status, "clEnqueueNDRangeKernel(\(name))")
    }
}
