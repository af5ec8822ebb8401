import Core
import Foundation

/// Another process changed a file the explorer has open: which, how, and whether the explorer
/// still holds the version it opened (a private copy made in time, a replaced file's old inode,
/// a catalog read whole) or its results may come from bytes that changed.
struct FileChangeNotice: Sendable, Equatable {
    let path: String
    let change: FileChange
    let keptCopy: Bool

    /// Whether this is about the file at `other` (`~` expanded).
    func concerns(_ other: String) -> Bool { path == (other as NSString).expandingTildeInPath }

    /// The message line's text.
    var message: String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let what = "\(name) changed on disk (\(change.rawValue))"
        return keptCopy ? "\(what): still exploring the version opened; :reload opens it again."
                        : "\(what): results read from it may be wrong; :reload opens it again."
    }
}
