import CSystem
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only: pages are read on first touch and shared with the page cache
/// and with every other process that maps the same file. The mapping lives as long as this
/// object; a file replaced by rename or deleted leaves it intact (it keeps the old inode).
///
/// Another process may also rewrite or truncate the file in place (`faiss.write_index` to the
/// same path does). Three things keep that from crashing or silently corrupting a search:
/// - the readers copy every structure that search trusts (graph links, list sizes, ids) into
///   owned memory, so only bulk vectors and codes are read from the mapping;
/// - a SIGBUS guard (`CSystem`): a read past a shrunken file finds zeros instead of killing the
///   process, and marks the mapping faulted;
/// - a read lease, where the kernel grants one (the file's owner, no writer yet): a writer's
///   open waits until vectui has reacted — by making a private copy of the mapping
///   (`ChangePolicy.keepPrivateCopy`, the explorer's choice when memory allows) or by letting go
///   at once, so that the job that reads next fails (`ChangePolicy.failReaders`, the CLI's).
/// `change` says what happened; `checkUnchanged()` turns it into an error for a job.
public final class MappedFile: @unchecked Sendable {
    // Invariant for @unchecked Sendable: `path`, `bytes`, `identity`, `descriptor` and
    // `guardSlot` never change after init; everything that does is inside `state` (a lock).

    /// What a process does when another process opens one of its mapped files for writing.
    public enum ChangePolicy: Sendable {
        /// Release the lease at once; reads of the file fail from then on (CLI commands: a
        /// result must describe one version of the file).
        case failReaders
        /// Copy the mapping into anonymous memory first when it fits in half the available
        /// memory, so the index keeps working on what it opened (the explorer).
        case keepPrivateCopy
    }

    public let path: String
    /// The file's bytes. Empty (and not mapped) for an empty file.
    public let bytes: UnsafeRawBufferPointer
    /// The file as it was when mapped.
    public let identity: FileIdentity
    private let descriptor: Int32
    private let guardSlot: Int32
    private let state = Locked(State())

    private struct State {
        var leaseHeld = false
        var leaseBroken = false
        var privateCopy: LedgerEntry?
    }

    /// The policy for files mapped from now on (the explorer sets `keepPrivateCopy`).
    public static var changePolicy: ChangePolicy {
        get { policy.withLock { $0 } }
        set { policy.withLock { $0 = newValue } }
    }
    private static let policy = Locked(ChangePolicy.failReaders)

    /// Maps the file at `path`.
    /// - Throws: `FileSystemError` when the file cannot be opened, read or mapped.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(path: path, operation: "open", errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw FileSystemError(path: path, operation: "stat", errno: code)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw FileSystemError(path: path, operation: "open", message: "not a regular file")
        }
        identity = FileIdentity(info)
        descriptor = fd
        let length = Int(info.st_size)
        if length == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            guardSlot = -1
            LeaseWatcher.shared.register(self, descriptor: fd, leased: false)
            return
        }
        guard let base = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            let code = errno
            close(fd)
            throw FileSystemError(path: path, operation: "mmap", errno: code)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: length)
        guardSlot = vectui_guard_register(base, length)
        let leased = vectui_lease_acquire(fd) == 0
        state.withLock { $0.leaseHeld = leased }
        LeaseWatcher.shared.register(self, descriptor: fd, leased: leased)
    }

    deinit {
        LeaseWatcher.shared.forget(descriptor: descriptor)
        vectui_guard_unregister(guardSlot)
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
        close(descriptor)
    }

    /// Whether this process holds a read lease on the file (writers wait for it to react).
    public var holdsLease: Bool { state.withLock { $0.leaseHeld } }

    /// Whether the mapping is now a private copy (made when a writer came), unaffected by
    /// anything done to the file since.
    public var isPrivateCopy: Bool { state.withLock { $0.privateCopy != nil } }

    /// What another process has done to the file since it was mapped, or nil.
    public var change: FileChange? {
        var now = stat()
        if vectui_guard_faulted(guardSlot) != 0 { return .truncated }
        if fstat(descriptor, &now) == 0 {
            let current = FileIdentity(now)
            if current.size < identity.size { return .truncated }
            if current.size != identity.size || !current.sameContentStamp(as: identity) { return .rewritten }
        }
        if state.withLock({ $0.leaseBroken }) { return .openedForWriting }
        if stat(path, &now) != 0 { return .deleted }
        if !FileIdentity(now).sameFile(as: identity) { return .replaced }
        return nil
    }

    /// Throws when bytes read from this mapping may no longer be the file as it was opened:
    /// it shrank, was rewritten in place or is open for writing, and no private copy was made.
    /// A file replaced by rename or deleted does not throw (the mapping keeps the old file).
    /// - Throws: `FileChangedError`.
    public func checkUnchanged() throws {
        guard let change, change.affectsMapping else { return }
        // A private copy made in time holds the file as opened, unless a read had already
        // faulted on a shrunken file before it.
        if isPrivateCopy && vectui_guard_faulted(guardSlot) == 0 { return }
        throw FileChangedError(path: path, change: change)
    }

    /// Checks every file this process has mapped.
    /// - Throws: `FileChangedError` for the first one that changed under its mapping.
    public static func checkAllUnchanged() throws {
        for file in LeaseWatcher.shared.liveFiles() { try file.checkUnchanged() }
    }

    /// Every mapped file that another process changed, with what happened (for the explorer).
    public static func changedFiles() -> [(path: String, change: FileChange, privateCopy: Bool)] {
        LeaseWatcher.shared.liveFiles().compactMap { file in
            file.change.map { (file.path, $0, file.isPrivateCopy) }
        }
    }

    /// Called on the watcher thread when a writer opens the file: copy (by policy) and let go.
    fileprivate func leaseBroke() {
        if MappedFile.changePolicy == .keepPrivateCopy, let base = bytes.baseAddress, bytes.count <= HostInfo.current().availableMemoryBytes / 2 {
            let entry = MemoryLedger.shared.record(device: MemoryLedger.hostDevice, kind: .vectors, bytes: bytes.count)
            if vectui_mapping_make_private(base, bytes.count, 64 << 20) == 0 {
                state.withLock { $0.privateCopy = entry }
            }
        }
        vectui_lease_release(descriptor)
        state.withLock {
            $0.leaseHeld = false
            $0.leaseBroken = true
        }
    }

    /// How many bytes of `range` are resident in physical memory right now (mincore), so
    /// callers can show that opening an index did not read its data.
    public func residentBytes(in range: Range<Int>) -> Int {
        guard let base = bytes.baseAddress, !range.isEmpty else { return 0 }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (range.lowerBound / page) * page
        let pages = (range.upperBound - first + page - 1) / page
        var vector = [UInt8](repeating: 0, count: pages)
        let status = vector.withUnsafeMutableBufferPointer { buffer -> Int32 in
            mincore(UnsafeMutableRawPointer(mutating: base + first), range.upperBound - first, buffer.baseAddress)
        }
        guard status == 0 else { return 0 }
        let residentPages = vector.reduce(0) { $0 + Int($1 & 1) }
        return min(residentPages * page, range.count)
    }
}

/// What another process did to a file vectui has open.
public enum FileChange: String, Sendable, Equatable {
    /// It is shorter than when opened (reads past the new end found zeros).
    case truncated = "truncated"
    /// Same file, new size or modification time: written in place.
    case rewritten = "rewritten in place"
    /// Another process opened it for writing (it may be writing now).
    case openedForWriting = "opened for writing by another process"
    /// The path now names another file (saved elsewhere and renamed over it).
    case replaced = "replaced"
    /// The path no longer exists.
    case deleted = "deleted"

    /// Whether the bytes of a mapping of the old file may have changed.
    public var affectsMapping: Bool { self == .truncated || self == .rewritten || self == .openedForWriting }
}

/// A file changed under vectui while it was reading it.
public struct FileChangedError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let change: FileChange

    public init(path: String, change: FileChange) {
        self.path = path
        self.change = change
    }

    public var description: String { "\(path): changed on disk (\(change.rawValue)) while vectui was reading it" }
}

/// Which file a path names and when it last changed, from `stat`.
public struct FileIdentity: Sendable, Equatable {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int
    /// Modification and status-change times, in nanoseconds.
    public let modified: Int64
    public let statusChanged: Int64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        statusChanged = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    }

    /// The identity of the file at `path` now, or nil when there is none.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }

    /// Whether both name the same inode.
    public func sameFile(as other: FileIdentity) -> Bool { device == other.device && inode == other.inode }

    /// Whether size and modification time agree (the contents were not written since).
    public func sameContentStamp(as other: FileIdentity) -> Bool { size == other.size && modified == other.modified }

    /// What happened between `self` (then) and the file at `path` now, or nil.
    public func change(at path: String) -> FileChange? {
        guard let now = FileIdentity(path: path) else { return .deleted }
        if !now.sameFile(as: self) { return .replaced }
        if now.size < size { return .truncated }
        return now.sameContentStamp(as: self) ? nil : .rewritten
    }
}

/// One thread that waits for lease breaks and hands each to its file; also the registry of
/// live mapped files.
private final class LeaseWatcher: Sendable {
    static let shared = LeaseWatcher()

    private struct Weak { weak var file: MappedFile? }
    private let files = Locked([Int32: Weak]())
    private let started = Locked(false)

    /// Adds a live file; the first leased one starts the watcher thread.
    func register(_ file: MappedFile, descriptor: Int32, leased: Bool) {
        files.withLock { $0[descriptor] = Weak(file: file) }
        guard leased else { return }
        let first = started.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
        guard first else { return }
        let thread = Thread { [self] in
            while true {
                let fd = vectui_lease_next_break()
                if fd < 0 { return }
                files.withLock { $0[fd]?.file }?.leaseBroke()
            }
        }
        thread.name = "vectui.lease-watcher"
        thread.start()
    }

    func forget(descriptor: Int32) {
        files.withLock { _ = $0.removeValue(forKey: descriptor) }
    }

    func liveFiles() -> [MappedFile] { files.withLock { $0.values.compactMap(\.file) } }
}

/// An operating-system call on a file failed.
public struct FileSystemError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let message: String

    public init(path: String, operation: String, message: String) {
        self.path = path
        self.operation = operation
        self.message = message
    }

    public init(path: String, operation: String, errno code: Int32) {
        self.init(path: path, operation: operation, message: String(cString: strerror(code)))
    }

    public var description: String { "\(path): cannot \(operation): \(message)" }
}
