/// The inverted lists of an IVF index (FAISS `ArrayInvertedLists`): per list, its codes back to
/// back and the 64-bit id of each. Lists read from a file borrow their codes from the mapping in
/// place (the `ilar` payload is codes then ids per list); their sizes and ids are copied into
/// owned memory, so another process rewriting the file cannot change what search returns or
/// trusts. A list is copied into owned memory the first time something is appended to it. Ids
/// are read with unaligned loads (owned ids are aligned, but the accessors do not assume it).
public final class InvertedLists {
    /// Number of lists.
    public let nlist: Int
    /// Bytes per code.
    public let codeSize: Int

    struct List {
        var count = 0
        var capacity = 0
        var codes: UnsafeRawPointer?
        var ids: UnsafeRawPointer?
        var owned = false
    }

    private var lists: [List]
    private let mapping: MappedFile?
    private var ownedBytes = 0
    private let ownedEntry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .vectors, bytes: 0)
    private var mappedEntry: LedgerEntry?
    /// The ids of every list read from a file, back to back (nil for lists built here).
    private var readIDs: UnsafeMutableRawPointer?
    private var readIDsEntry: LedgerEntry?

    /// Empty lists.
    public init(nlist: Int, codeSize: Int) {
        self.nlist = nlist
        self.codeSize = codeSize
        lists = [List](repeating: List(), count: nlist)
        mapping = nil
    }

    /// Lists whose codes are borrowed from `file`: `entries` gives (list, count, offset of its
    /// codes); its ids follow the codes and are copied out.
    /// - Precondition: every range lies inside the file (the reader checks it first).
    init(nlist: Int, codeSize: Int, mapping file: MappedFile, entries: [(list: Int, count: Int, offset: Int)]) {
        self.nlist = nlist
        self.codeSize = codeSize
        lists = [List](repeating: List(), count: nlist)
        mapping = file
        var mappedBytes = 0
        let base = file.bytes.baseAddress
        let idCount = entries.reduce(0) { $0 + $1.count }
        let idBlock = UnsafeMutableRawPointer.allocate(byteCount: max(1, idCount * 8), alignment: 8)
        var idsCopied = 0
        for entry in entries where entry.count > 0 {
            precondition(entry.offset + entry.count * (codeSize + 8) <= file.bytes.count)
            let ids = idBlock + idsCopied * 8
            ids.copyMemory(from: base! + entry.offset + entry.count * codeSize, byteCount: entry.count * 8)
            idsCopied += entry.count
            lists[entry.list] = List(count: entry.count, capacity: entry.count, codes: base! + entry.offset,
                                     ids: UnsafeRawPointer(ids), owned: false)
            mappedBytes += entry.count * codeSize
        }
        readIDs = idBlock
        readIDsEntry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .ids, bytes: idCount * 8)
        mappedEntry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .mappedVectors, bytes: mappedBytes)
    }

    deinit {
        readIDs?.deallocate()
        for list in lists where list.owned {
            list.codes.map { UnsafeMutableRawPointer(mutating: $0).deallocate() }
            list.ids.map { UnsafeMutableRawPointer(mutating: $0).deallocate() }
        }
    }

    /// Entries in list `i`.
    @inline(__always)
    public func count(_ i: Int) -> Int { lists[i].count }

    /// The codes of list `i` (`count(i) × codeSize` bytes), nil when empty.
    @inline(__always)
    public func codes(_ i: Int) -> UnsafeRawPointer? { lists[i].codes }

    /// The ids of list `i` (`count(i)` little-endian Int64, maybe unaligned), nil when empty.
    @inline(__always)
    public func ids(_ i: Int) -> UnsafeRawPointer? { lists[i].ids }

    /// The id at `offset` in list `i`.
    public func id(list i: Int, offset: Int) -> Int64 {
        precondition(offset >= 0 && offset < lists[i].count)
        return lists[i].ids!.loadUnaligned(fromByteOffset: offset * 8, as: Int64.self)
    }

    /// The code at `offset` in list `i`.
    public func code(list i: Int, offset: Int) -> UnsafeRawPointer {
        precondition(offset >= 0 && offset < lists[i].count)
        return lists[i].codes! + offset * codeSize
    }

    /// Entries over all lists.
    public var totalCount: Int { lists.reduce(0) { $0 + $1.count } }

    /// Lists with at least one entry.
    public var nonEmptyCount: Int { lists.reduce(0) { $0 + ($1.count > 0 ? 1 : 0) } }

    /// Bytes of codes and of ids, and how many of them are memory-mapped (codes only).
    public var byteCounts: (codes: Int, ids: Int, mapped: Int) {
        var codes = 0, mapped = 0
        for list in lists {
            codes += list.count * codeSize
            if !list.owned { mapped += list.count * codeSize }
        }
        let total = totalCount
        return (codes, total * 8, mapped)
    }

    /// Appends one entry to list `i`; returns its offset in the list.
    @discardableResult
    public func append(list i: Int, code: UnsafeRawPointer, id: Int64) -> Int {
        var list = lists[i]
        if !list.owned || list.count == list.capacity {
            let newCapacity = max(8, list.count * 2)
            let codes = UnsafeMutableRawPointer.allocate(byteCount: max(1, newCapacity * codeSize), alignment: 16)
            let ids = UnsafeMutableRawPointer.allocate(byteCount: newCapacity * 8, alignment: 8)
            if list.count > 0 {
                codes.copyMemory(from: list.codes!, byteCount: list.count * codeSize)
                ids.copyMemory(from: list.ids!, byteCount: list.count * 8)
            }
            if list.owned {
                UnsafeMutableRawPointer(mutating: list.codes!).deallocate()
                UnsafeMutableRawPointer(mutating: list.ids!).deallocate()
                ownedBytes -= list.capacity * (codeSize + 8)
            } else if list.count > 0 {
                mappedEntry?.resize(to: (mappedEntry?.bytes ?? 0) - list.count * codeSize)
            }
            list.codes = UnsafeRawPointer(codes)
            list.ids = UnsafeRawPointer(ids)
            list.capacity = newCapacity
            list.owned = true
            ownedBytes += newCapacity * (codeSize + 8)
            ownedEntry.resize(to: ownedBytes)
        }
        let offset = list.count
        UnsafeMutableRawPointer(mutating: list.codes!).advanced(by: offset * codeSize).copyMemory(from: code, byteCount: codeSize)
        UnsafeMutableRawPointer(mutating: list.ids!).storeBytes(of: id.littleEndian, toByteOffset: offset * 8, as: Int64.self)
        list.count += 1
        lists[i] = list
        return offset
    }

    /// Bytes the lists hold in the process's own memory (allocated capacity).
    public var anonymousBytes: Int { ownedBytes }
}
