import Foundation

/// The kinds of failure vectui tells apart, each with its own exit code (README, "Exit codes").
public enum ErrorDomain: String, Sendable, CaseIterable {
    /// A file or value the user gave is wrong: a malformed or unsupported file, a file that
    /// changed while it was read, a mismatched dimension, an impossible index parameter.
    case input
    /// A device cannot do what was asked: no such device, a placement that does not fit, an
    /// OpenCL failure, device memory exhausted.
    case device
    /// A remote service failed or could not be reached (the embedding server).
    case remote
    /// The work was stopped (Ctrl-C, a cancelled job).
    case interrupted
    /// The command line itself is wrong (as ArgumentParser's own usage errors, EX_USAGE).
    case usage
    /// A failure outside this vocabulary: a bug to report.
    case unexpected

    /// The process exit code for failures of this domain.
    public var exitCode: Int32 {
        switch self {
        case .input: return 2
        case .device: return 3
        case .remote: return 4
        case .interrupted: return 130
        case .usage: return 64
        case .unexpected: return 1
        }
    }

    /// The domain of any error: its own for a `VecTUIError`, `.interrupted` for Swift's
    /// `CancellationError`, `.input` for a Foundation file error, else `.unexpected`.
    public static func of(_ error: any Error) -> ErrorDomain {
        switch error {
        case let error as any VecTUIError: return error.domain
        case is CancellationError: return .interrupted
        case is CocoaError, is POSIXError: return .input
        default: return .unexpected
        }
    }
}

/// An error of vectui's vocabulary: the facts in associated values or fields, the message for
/// people in `description`, and the domain that picks the exit code.
public protocol VecTUIError: Error, CustomStringConvertible {
    /// Which kind of failure this is.
    var domain: ErrorDomain { get }
}

extension VecTUIError {
    /// The exit code of a command that fails with this error.
    public var exitCode: Int32 { domain.exitCode }
}

// MARK: - Core's errors by domain

extension FileFormatError: VecTUIError { public var domain: ErrorDomain { .input } }
extension UnsupportedIndexError: VecTUIError { public var domain: ErrorDomain { .input } }
extension FileSystemError: VecTUIError { public var domain: ErrorDomain { .input } }
extension FileChangedError: VecTUIError { public var domain: ErrorDomain { .input } }
extension IndexError: VecTUIError { public var domain: ErrorDomain { .input } }
extension IndexParameterError: VecTUIError { public var domain: ErrorDomain { .input } }
extension IndexFactoryError: VecTUIError { public var domain: ErrorDomain { .input } }
extension TrainingError: VecTUIError { public var domain: ErrorDomain { .input } }
extension HNSWError: VecTUIError { public var domain: ErrorDomain { .input } }
extension DemoEmbeddingError: VecTUIError { public var domain: ErrorDomain { .input } }
/// A search filter that does not parse or names a field the catalog lacks: the command line's value is wrong.
extension CatalogFilterError: VecTUIError { public var domain: ErrorDomain { .usage } }
extension OpenCLError: VecTUIError { public var domain: ErrorDomain { .device } }
extension DeviceError: VecTUIError { public var domain: ErrorDomain { .device } }
extension PlacementRefusal: VecTUIError { public var domain: ErrorDomain { .device } }

/// A mistake on the command line that ArgumentParser cannot see (options that exclude each
/// other, a value out of range): exit 64, as ArgumentParser's own usage errors.
public struct UsageError: VecTUIError {
    public let description: String
    public var domain: ErrorDomain { .usage }
    public init(description: String) { self.description = description }
}

/// A file or text given on the command line does not suit the command (no queries, ids that
/// do not match the vectors, an empty text, a text model of another dimension): exit 2.
public struct InputMismatchError: VecTUIError, Equatable {
    public let description: String
    public var domain: ErrorDomain { .input }
    public init(description: String) { self.description = description }
}
