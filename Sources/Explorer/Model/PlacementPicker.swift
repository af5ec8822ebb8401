import Core

/// Where the user wants the index: chosen devices, layout and precision. The effect that
/// moves the index carries this, and the runtime resolves the names in the device registry.
struct PlacementRequest: Equatable, Sendable {
    /// Device names (`cpu`, or OpenCL devices), in the order chosen.
    var devices: [String]
    /// Sharded or replicated, when several devices are chosen.
    var layout: Layout
    var precision: DevicePrecision

    /// "cl0 (fp32)", "cl0, cl1 sharded (fp16)", "cpu".
    var description: String {
        if devices == [MemoryLedger.hostDevice] { return MemoryLedger.hostDevice }
        let names = devices.joined(separator: ", ")
        let spread = devices.count > 1 ? (layout == .replicate ? " replicated" : " sharded") : ""
        return "\(names)\(spread) (\(precision))"
    }
}

/// The device picker: a cursor over the devices, the chosen ones, layout and precision.
/// The prediction for the current choice is `PlacementPreview`, recomputed from the model
/// whenever the picker is drawn.
struct PlacementPicker: Equatable, Sendable {
    /// Device names, in the Devices pane's order.
    var choices: [String]
    /// The chosen devices, in the order they were chosen.
    var selected: [String]
    /// The row under the cursor.
    var cursor = 0
    /// Used when several devices are chosen: `.shard` or `.replicate`.
    var layout: Layout = .shard
    var precision: DevicePrecision = .fp32

    /// A picker over `choices` with `request`'s devices, layout and precision chosen.
    init(choices: [String], request: PlacementRequest) {
        self.choices = choices
        selected = request.devices.filter { choices.contains($0) }
        layout = request.layout == .replicate ? .replicate : .shard
        precision = request.precision
        cursor = selected.first.flatMap { choices.firstIndex(of: $0) } ?? 0
    }

    /// Chooses or unchooses the device under the cursor. The host excludes the others: the CPU
    /// is one placement, OpenCL devices another.
    mutating func toggleCursor() {
        guard cursor < choices.count else { return }
        let name = choices[cursor]
        if let position = selected.firstIndex(of: name) {
            selected.remove(at: position)
        } else if name == MemoryLedger.hostDevice {
            selected = [name]
        } else {
            selected.removeAll { $0 == MemoryLedger.hostDevice }
            selected.append(name)
        }
    }

    /// The request the picker describes now.
    var request: PlacementRequest {
        let isHost = selected == [MemoryLedger.hostDevice]
        return PlacementRequest(devices: selected, layout: selected.count > 1 ? layout : .single,
                                precision: isHost ? .fp32 : precision)
    }
}

/// The predicted memory of a placement, device by device, and whether it fits: pure
/// arithmetic over the model's last device sample (as `IndexMover.plan` does with the live
/// ledger), so the picker can show it on every keystroke.
struct PlacementPreview: Equatable, Sendable {
    /// One chosen device's prediction.
    struct Row: Equatable, Sendable {
        var device: String
        /// Bytes of vectors it would hold.
        var residentBytes: Int
        /// The most it would hold during the move (vectors + one upload chunk + search scratch).
        var peakBytes: Int
        /// What it has left now.
        var availableBytes: Int
        var fits: Bool { peakBytes <= availableBytes }
    }

    /// Whether the move can go ahead, and if not, why.
    enum Verdict: Equatable, Sendable {
        case fits(summary: String)
        case doesNotFit(String)
        case nothingChosen
        case alreadyThere
    }

    var rows: [Row]
    var verdict: Verdict

    /// The prediction for `request` with `index` and the devices as last sampled.
    init(request: PlacementRequest, index: IndexSummary, devices: [DeviceStatus]) {
        let chosen = request.devices.compactMap { name in devices.first { $0.device.name == name } }
        guard !chosen.isEmpty else {
            rows = []
            verdict = .nothingChosen
            return
        }
        let current = Set(index.shards.map(\.device))
        if Set(request.devices) == current && request.precision == index.precision
            && (request.devices.count == 1 || request.layout == index.layout) {
            rows = []
            verdict = .alreadyThere
            return
        }
        if request.devices == [MemoryLedger.hostDevice], let host = chosen.first {
            // Rows come down straight into the new host storage: no second copy.
            let bytes = index.shape.vectorBytes(.fp32)
            let row = Row(device: host.device.name, residentBytes: bytes, peakBytes: bytes, availableBytes: host.freeBytes)
            rows = [row]
            verdict = row.fits ? .fits(summary: "fp32 in host RAM")
                : .doesNotFit("host RAM has \(ByteSize.format(host.freeBytes)) free; the vectors need \(ByteSize.format(bytes))")
            return
        }
        let planDevices = chosen.map { status in
            PlanDevice(name: status.device.name, capacityBytes: max(0, status.totalBytes - status.recordedBytes),
                       maxAllocationBytes: status.device.maxAllocationBytes,
                       tempBudgetBytes: PlanDevice.defaultTempBudget(memoryBytes: status.totalBytes))
        }
        let option = PlacementPlanner.evaluate(index.shape, on: planDevices, layout: request.layout, precision: request.precision)
        rows = planDevices.indices.map { i in
            Row(device: planDevices[i].name, residentBytes: option.residentBytesPerDevice[i],
                peakBytes: option.peakBytesPerDevice[i], availableBytes: planDevices[i].capacityBytes)
        }
        if option.fits {
            verdict = .fits(summary: option.summary)
        } else {
            let short = rows.filter { !$0.fits }.map {
                "\($0.device) needs \(ByteSize.format($0.peakBytes)) at peak, has \(ByteSize.format($0.availableBytes))"
            }
            verdict = .doesNotFit(short.joined(separator: "; ") + " (try fp16, or shard over more devices)")
        }
    }
}
