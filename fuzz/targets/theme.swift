// fuzz-modules: TUI
// fuzz-max-len: 4096
@testable import TUI
import Foundation

/// libFuzzer target: any bytes as a theme file (read as UTF-8 text, as `Theme.loadFile` does).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTheme(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(data: FuzzInput.data(data, size), encoding: .utf8) else { return 0 }
    _ = try? Theme.parse(text, name: "fuzz")
    return 0
}
