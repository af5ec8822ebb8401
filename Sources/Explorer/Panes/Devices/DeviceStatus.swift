import Core

/// A device as the explorer shows and plans for it (a copy of the registry's facts).
struct DeviceInfo: Equatable, Sendable {
    /// `cpu`, `cl0`, …
    var name: String
    /// Other names it answers to (`gpu0`).
    var aliases: [String]
    /// The device's own name ("NVIDIA H100", "host CPU").
    var displayName: String
    /// Its memory.
    var memoryBytes: Int
    /// Its largest single allocation.
    var maxAllocationBytes: Int

    /// The registry's device, as the explorer keeps it.
    init(_ device: DeviceRegistry.Device) {
        self.init(name: device.name, aliases: device.aliases, displayName: device.displayName,
                  memoryBytes: device.memoryBytes, maxAllocationBytes: device.maxAllocationBytes)
    }

    /// A device from its facts.
    init(name: String, aliases: [String], displayName: String, memoryBytes: Int,
         maxAllocationBytes: Int) {
        self.name = name
        self.aliases = aliases
        self.displayName = displayName
        self.memoryBytes = memoryBytes
        self.maxAllocationBytes = maxAllocationBytes
    }

    /// Whether this is the host.
    var isHost: Bool { name == MemoryLedger.hostDevice }

    /// Whether `name` (any case) is this device's name or one of its aliases.
    func answers(to name: String) -> Bool {
        let wanted = name.lowercased()
        return self.name == wanted || aliases.contains(wanted)
    }
}

/// One device's memory as last sampled: what the index holds there, scratch, what others
/// use, and the peak since the latest move began.
struct DeviceStatus: Equatable, Sendable {
    /// The device (name, aliases, type, memory, largest allocation).
    var device: DeviceInfo
    /// Bytes of index data recorded there: vectors, ids, norms.
    var indexBytes: Int
    /// Bytes of search scratch and move/save staging recorded there.
    var scratchBytes: Int
    /// Bytes used by everything else (the host: the rest of its used RAM; OpenCL: unknown, 0).
    var otherBytes: Int
    /// The most bytes recorded there at once since the latest move began.
    var peakBytes: Int

    /// All bytes VecTUI has recorded there now (what the planner counts as taken).
    var recordedBytes: Int { indexBytes + scratchBytes }

    /// The device's memory.
    var totalBytes: Int { device.memoryBytes }

    /// What is neither recorded nor used by others.
    var freeBytes: Int { max(0, totalBytes - indexBytes - scratchBytes - otherBytes) }

    /// The device's name and aliases, "cl0 (gpu0)".
    var label: String {
        device.aliases.isEmpty ? device.name : "\(device.name) (\(device.aliases.joined(separator: ", ")))"
    }
}
