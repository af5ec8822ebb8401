import Core

/// Reads every device's memory now: the ledger (what VecTUI allocated, by kind) and, for the
/// host, the RAM the rest of the machine uses.
enum DeviceSampler {
    /// One `DeviceStatus` per device in `registry`, in its order (host first).
    static func sample(registry: DeviceRegistry, ledger: MemoryLedger = .shared) -> [DeviceStatus] {
        let usages = ledger.snapshot()
        let host = HostInfo.current()
        return registry.devices.map { device in
            func bytes(_ kinds: [MemoryLedger.Kind]) -> Int {
                usages.filter { $0.device == device.name && kinds.contains($0.kind) }.reduce(0) { $0 + $1.currentBytes }
            }
            let index = bytes([.vectors, .mappedVectors, .ids, .norms])
            let scratch = bytes([.scratch, .staging])
            var other = 0
            if device.openCLIndex == nil {
                // Used RAM that is not this index's own anonymous memory (mapped pages are page cache).
                let used = host.totalMemoryBytes - host.availableMemoryBytes
                other = max(0, used - bytes([.vectors, .ids, .norms]) - scratch)
            }
            return DeviceStatus(device: DeviceInfo(device), indexBytes: index, scratchBytes: scratch, otherBytes: other,
                                peakBytes: ledger.peakBytes(device: device.name))
        }
    }
}
