/// Where an index should live.
public struct PlacementTarget: Sendable, Equatable {
    /// `[cpu]`, or one or more OpenCL devices.
    public let devices: [DeviceRegistry.Device]
    public let layout: Layout
    public let precision: DevicePrecision

    public init(devices: [DeviceRegistry.Device], layout: Layout, precision: DevicePrecision) {
        self.devices = devices
        self.layout = devices.count == 1 ? .single : layout
        self.precision = precision
    }

    /// Whether the target is host memory.
    public var isHost: Bool { devices.count == 1 && devices[0].openCLIndex == nil }
}

/// Limits a move works under: the chunk size and per-device budgets set by the user.
public struct MoveOptions: Sendable {
    /// Rows travel in pieces of at most this many bytes (fp32), on the host and the device.
    public var chunkBytes = PlacementPlanner.defaultChunkBytes
    /// User caps on what a device may hold (`--device-memory gpu0=2GiB`), by device name.
    public var memoryBudgets: [String: Int] = [:]
    /// Search scratch per device (`--temp-memory`); default: min(1 GiB, 10% of the device).
    public var tempBudgetBytes: Int?
    /// Caps slab size below the device's largest allocation (tests use it to get many slabs).
    public var maxSlabBytes: Int?

    public init() {}

    /// What the planner may use of `device`: its memory, or the user's budget if smaller.
    public func planDevice(_ device: DeviceRegistry.Device) -> PlanDevice {
        let capacity = min(device.memoryBytes, memoryBudgets[device.name] ?? Int.max)
        let maxAllocation = min(device.maxAllocationBytes, maxSlabBytes ?? Int.max)
        return PlanDevice(name: device.name, capacityBytes: capacity, maxAllocationBytes: maxAllocation,
                          tempBudgetBytes: tempBudgetBytes ?? PlanDevice.defaultTempBudget(memoryBytes: capacity))
    }
}

/// Progress of a move: rows copied so far, of all rows to copy.
public struct MoveProgress: Sendable, Equatable {
    public let rowsDone: Int
    public let rowsTotal: Int
    public let phase: String
}

/// Moves indexes between the host and OpenCL devices without a second full copy: rows travel
/// in bounded chunks (converted to fp16 on the device when asked), so the peak on a device is
/// its resident share plus one chunk, and on the host one chunk. The source is never changed;
/// a refused, failed or cancelled move frees what it allocated and the caller keeps the source.
public enum IndexMover {
    /// The prediction for placing `index` on `target`.
    public static func plan(_ index: any VectorIndex, on target: PlacementTarget, options: MoveOptions) -> PlanOption {
        let devices = target.devices.map { device -> PlanDevice in
            var plan = options.planDevice(device)
            // What the device already holds (other indexes, or this one moving between layouts) is not free.
            let used = MemoryLedger.shared.currentBytes(device: device.name)
            plan = PlanDevice(name: plan.name, capacityBytes: max(0, plan.capacityBytes - used),
                              maxAllocationBytes: plan.maxAllocationBytes, tempBudgetBytes: plan.tempBudgetBytes)
            return plan
        }
        return PlacementPlanner.evaluate(shape(of: index), on: devices, layout: target.layout,
                                         precision: target.precision, chunkBytes: options.chunkBytes)
    }

    /// The shape the planner needs.
    public static func shape(of index: any VectorIndex) -> IndexShape {
        IndexShape(className: index.faissClassName, rows: index.count, dimension: index.dimension, hasIDs: index is IDMapIndex)
    }

    /// Returns `index` placed on `target` (a new index; `index` itself is left as it was).
    /// - Parameters:
    ///   - candidates: devices whose placements are offered when the target does not fit.
    ///   - progress: called after every chunk; returning false cancels the move.
    /// - Throws: `PlacementRefusal` when the prediction does not fit, `DeviceError` for an index
    ///   that cannot move or a device that runs out of memory, `CancellationError` when cancelled.
    public static func move(_ index: any VectorIndex, to target: PlacementTarget, candidates: [DeviceRegistry.Device] = [],
                            options: MoveOptions = MoveOptions(), registry: DeviceRegistry = .shared,
                            progress: (MoveProgress) -> Bool = { _ in true }) throws -> any VectorIndex {
        let inner = (index as? IDMapIndex)?.inner ?? index
        guard let source = inner as? FlatRows else { throw DeviceError.notMovable(className: index.faissClassName) }
        let moved: any VectorIndex
        if target.isHost {
            moved = source is FlatIndex ? source : try download(source, progress: progress)
        } else {
            let option = plan(index, on: target, options: options)
            let alternatives = candidates.isEmpty ? [] : PlacementPlanner.options(shape(of: index),
                                                                                  devices: candidates.map { options.planDevice($0) },
                                                                                  chunkBytes: options.chunkBytes)
            try PlacementRefusal.check(option, shape: shape(of: index), candidates: alternatives)
            moved = try upload(source, to: target, option: option, registry: registry, progress: progress)
        }
        guard let wrapper = index as? IDMapIndex else { return moved }
        return moved === wrapper.inner ? wrapper : try IDMapIndex(kind: wrapper.kind, inner: moved, ids: wrapper.ids)
    }

    // MARK: - Host → devices (and device → device through one host chunk)

    private static func upload(_ source: FlatRows, to target: PlacementTarget, option: PlanOption,
                               registry: DeviceRegistry, progress: (MoveProgress) -> Bool) throws -> DeviceFlatIndex {
        let d = source.dimension
        let chunkRows = max(1, option.chunkBytes / max(1, d * 4))
        var starts = [0]
        for rows in option.rowsPerDevice { starts.append(target.layout == .replicate ? 0 : starts.last! + rows) }
        let totalRows = option.rowsPerDevice.reduce(0, +)

        // Allocate every slab first, so an out-of-memory shows before any copying.
        var plans = [(device: DeviceRegistry.Device, openCL: OpenCLDevice, rows: Range<Int>, slabs: [DeviceSlab], entries: [LedgerEntry])]()
        for (i, device) in target.devices.enumerated() {
            let openCL = try registry.openCL(device)
            let first = starts[i], rows = first..<(first + option.rowsPerDevice[i])
            let rowsPerSlab = max(1, DeviceSlab.maxRows(dimension: d, precision: target.precision,
                                                        maxAllocationBytes: option.devices[i].maxAllocationBytes))
            var slabs = [DeviceSlab](), entries = [LedgerEntry]()
            var row = rows.lowerBound
            while row < rows.upperBound {
                let n = min(rowsPerSlab, rows.upperBound - row)
                do {
                    let slab = try DeviceSlab.allocate(on: openCL, firstRow: row, rowCount: n, dimension: d, precision: target.precision)
                    entries.append(MemoryLedger.shared.record(device: device.name, kind: .vectors, bytes: slab.buffer.byteCount))
                    slabs.append(slab)
                } catch let error as OpenCLError where error.isOutOfMemory {
                    throw DeviceError.outOfMemory(device: "\(device.name) (\(device.displayName))",
                        detail: "allocating slab \(slabs.count + 1) (\(ByteSize.format(n * d * target.precision.bytesPerComponent)))"
                            + " with \(ByteSize.format(MemoryLedger.shared.currentBytes(device: device.name))) already in use: \(error)")
                }
                row += n
                guard progress(MoveProgress(rowsDone: 0, rowsTotal: totalRows, phase: "allocating on \(device.name)")) else {
                    throw CancellationError()
                }
            }
            plans.append((device, openCL, rows, slabs, entries))
        }

        let hostChunk = UnsafeMutablePointer<Float>.allocate(capacity: max(1, min(chunkRows, source.count) * d))
        defer { hostChunk.deallocate() }
        let hostStaging = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .staging,
                                                     bytes: min(chunkRows, source.count) * d * 4)
        defer { hostStaging.release() }
        var done = 0
        for plan in plans {
            // fp16 slabs are filled through one fp32 chunk on the device, converted there.
            var deviceStaging: OpenCLBuffer?
            var deviceStagingEntry: LedgerEntry?
            if target.precision == .fp16 && !plan.rows.isEmpty {
                let bytes = min(chunkRows, plan.rows.count) * d * 4
                deviceStaging = try plan.openCL.makeBuffer(byteCount: bytes, touch: true)
                deviceStagingEntry = MemoryLedger.shared.record(device: plan.device.name, kind: .staging, bytes: bytes)
            }
            for slab in plan.slabs {
                var row = slab.firstRow
                while row < slab.firstRow + slab.rowCount {
                    let n = min(chunkRows, slab.firstRow + slab.rowCount - row)
                    try source.readRows(row..<(row + n), into: hostChunk)
                    try slab.write(rows: hostChunk, count: n, atRow: row - slab.firstRow, staging: deviceStaging)
                    row += n
                    done += n
                    guard progress(MoveProgress(rowsDone: done, rowsTotal: totalRows, phase: "uploading to \(plan.device.name)")) else {
                        throw CancellationError()
                    }
                }
            }
            deviceStagingEntry?.release()
            _ = deviceStaging
        }
        try plans.forEach { try $0.openCL.finish() }
        let shards = zip(plans, option.devices).map { plan, planned in
            DeviceFlatIndex.Shard(device: plan.device, openCL: plan.openCL, rows: plan.rows, slabs: plan.slabs,
                                  ledgerEntries: plan.entries, tempBudgetBytes: planned.tempBudgetBytes)
        }
        return DeviceFlatIndex(dimension: d, metric: source.metric, count: source.count, precision: target.precision,
                               layout: target.layout, shards: shards)
    }

    // MARK: - Devices → host

    private static func download(_ source: FlatRows, progress: (MoveProgress) -> Bool) throws -> FlatIndex {
        let d = source.dimension
        let storage = VectorStorage(dimension: d)
        let chunkRows = max(1, PlacementPlanner.defaultChunkBytes / max(1, d * 4))
        var row = 0
        try storage.appendRows(source.count) { destination, range in
            // Straight into the new host storage: the only host copy there will be.
            while row < range.upperBound {
                let n = min(chunkRows, range.upperBound - row)
                try source.readRows(row..<(row + n), into: destination + row * d)
                row += n
                guard progress(MoveProgress(rowsDone: row, rowsTotal: source.count, phase: "downloading to cpu")) else {
                    throw CancellationError()
                }
            }
        }
        return FlatIndex(metric: source.metric, storage: storage)
    }
}
