import ArgumentParser
import Core
import Foundation

/// Exit code for any failure caused by the files or values a user gave (bad file, mismatch).
let inputErrorExitCode: Int32 = 2

/// Runs a command body as the job `what` ("searching /x/index.faiss", named by the line a
/// fatal signal prints); any error becomes one line on stderr and exit code 2.
func reportingErrors(_ what: String, _ body: () throws -> Void) throws {
    do {
        try FatalSignals.during(what, body)
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("vectui: error: \(error)\n".utf8))
        throw ExitCode(inputErrorExitCode)
    }
}

/// A user-level mistake that no lower layer reports (for example, a missing option value).
struct UsageError: Error, CustomStringConvertible {
    let description: String
}

/// Writes a line to stderr (progress and timings, which must not mix with --json output).
func printToStderr(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
