import ArgumentParser
import Core
import Foundation
import TUI

/// Runs a command body as the job `what` ("searching /x/index.faiss", named by the line a
/// fatal signal prints); an error becomes one line on stderr and the exit code of its
/// `ErrorDomain` (2 input, 3 device, 4 remote, 130 interrupted, 64 usage, 1 unexpected). A
/// mapped file that another process changed during the command is reported instead of
/// whatever followed.
func reportingErrors(_ what: String, _ body: () throws -> Void) throws {
    do {
        do {
            try FatalSignals.during(what, body)
        } catch {
            try MappedFile.checkAllUnchanged()
            throw error
        }
        try MappedFile.checkAllUnchanged()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("vectui: error: \(error)\n".utf8))
        throw ExitCode(ErrorDomain.of(error).exitCode)
    }
}

extension TerminalError: VecTUIError {
    /// Input: the explorer was started without a terminal it can use.
    public var domain: ErrorDomain { .input }
}

extension ThemeError: VecTUIError {
    /// Input: a theme name or file the user gave.
    public var domain: ErrorDomain { .input }
}
