import COpenCL

/// A device buffer (`cl_mem`) of a fixed number of bytes, released when the object goes away.
/// Transfers are blocking and bounds-checked.
// @unchecked: every stored property is a constant; `mem` is an OpaquePointer (not Sendable to
// Swift) to a buffer object that OpenCL 1.2 lets any thread use (its calls are thread-safe).
public final class OpenCLBuffer: @unchecked Sendable {
    /// The device the buffer lives on (kept alive by the buffer).
    public let device: OpenCLDevice
    /// The buffer's size in bytes.
    public let byteCount: Int
    let mem: cl_mem

    /// Allocates `byteCount` bytes on `device`; `touch` writes one byte so that lazy drivers
    /// report an allocation failure here rather than at first use.
    init(device: OpenCLDevice, byteCount: Int, touch: Bool) throws {
        guard byteCount > 0 else { throw device.invalid("a buffer of \(byteCount) bytes was asked for") }
        guard byteCount <= device.info.maxAllocationBytes else {
            throw OpenCLError.allocationTooLarge(device: device.description, bytes: byteCount,
                                                 maxAllocationBytes: device.info.maxAllocationBytes)
        }
        var status: cl_int = CL_SUCCESS
        guard let mem = clCreateBuffer(device.context, cl_mem_flags(CL_MEM_READ_WRITE), byteCount, nil, &status),
              status == CL_SUCCESS else {
            throw OpenCLError.allocationFailed(device: device.description, bytes: byteCount,
                                               call: "clCreateBuffer", code: status)
        }
        self.device = device
        self.byteCount = byteCount
        self.mem = mem
        if touch {
            var zero: UInt8 = 0
            let written = clEnqueueWriteBuffer(device.queue, mem, cl_bool(CL_TRUE), byteCount - 1, 1, &zero,
                                               0, nil, nil)
            if written != CL_SUCCESS {
                // `self` is fully initialised, so deinit releases `mem`.
                throw OpenCLError.allocationFailed(device: device.description, bytes: byteCount,
                                                   call: "clEnqueueWriteBuffer (touch)", code: written)
            }
        }
    }

    deinit { clReleaseMemObject(mem) }

    /// Copies `count` bytes from host memory into the buffer at byte `offset`, and waits.
    public func write(from source: UnsafeRawPointer, count: Int, at offset: Int = 0) throws {
        try checkRange(offset: offset, count: count, "write")
        guard count > 0 else { return }
        let status = clEnqueueWriteBuffer(device.queue, mem, cl_bool(CL_TRUE), offset, count, source, 0, nil, nil)
        try device.check(status, "clEnqueueWriteBuffer(\(count) bytes at \(offset))")
    }

    /// Copies `count` bytes from the buffer at byte `offset` into host memory, and waits.
    public func read(into destination: UnsafeMutableRawPointer, count: Int, at offset: Int = 0) throws {
        try checkRange(offset: offset, count: count, "read")
        guard count > 0 else { return }
        let status = clEnqueueReadBuffer(device.queue, mem, cl_bool(CL_TRUE), offset, count, destination, 0, nil, nil)
        try device.check(status, "clEnqueueReadBuffer(\(count) bytes at \(offset))")
    }

    /// Copies `count` bytes to another buffer on the same device (device-side, queued in order).
    public func copy(to destination: OpenCLBuffer, count: Int, from sourceOffset: Int = 0,
                     to destinationOffset: Int = 0) throws {
        guard destination.device === device else {
            throw device.invalid("copy between buffers of different devices (\(destination.device)); "
                + "go through host memory")
        }
        try checkRange(offset: sourceOffset, count: count, "copy from")
        try destination.checkRange(offset: destinationOffset, count: count, "copy into")
        guard count > 0 else { return }
        let status = clEnqueueCopyBuffer(device.queue, mem, destination.mem, sourceOffset, destinationOffset,
                                         count, 0, nil, nil)
        try device.check(status, "clEnqueueCopyBuffer(\(count) bytes)")
    }

    /// Throws unless `offset..<offset+count` lies inside the buffer.
    func checkRange(offset: Int, count: Int, _ what: String) throws {
        guard offset >= 0, count >= 0, offset <= byteCount, count <= byteCount - offset else {
            throw device.invalid("\(what) of \(count) bytes at offset \(offset) is outside a buffer of "
                + "\(byteCount) bytes")
        }
    }
}
