// The real terminal, through ncursesw. The only file that imports CNcurses; every curses call
// happens on the thread that created the backend (the UI loop's).
//
// Restoring the terminal on every way out:
// - `shutdown()` (idempotent) on normal exit and after errors the UI loop catches;
// - an atexit hook, for `exit()` from anywhere;
// - SIGINT, SIGTERM and SIGHUP handlers that only set a flag: SIGINT is read back as Ctrl-C,
//   SIGTERM/SIGHUP as `terminationSignal`, and the loop shuts down in order;
// - fatal signals (SIGSEGV, SIGBUS, a Swift trap, …): the saved termios and the terminal's "leave
//   full-screen mode" bytes are registered with CSystem's process-wide fatal-signal handler
//   (`vectui_fatal_signals.h`), which restores both before it prints its one line and exits.
//
// The mouse (unless `mouse: false`): `mousemask` turns reporting on, ncurses decodes the reports
// (`KEY_MOUSE`, `getmouse`), `endwin` turns it off; the fatal-signal bytes turn off every mode
// (1000, 1002, 1003, 1006) too. ncurses picks the encoding from the terminfo entry: where
// `kmous` is `\E[<` (xterm, xterm-256color: XM enables 1006) the SGR encoding, any column;
// where it is `\E[M` (ncurses 6.4's tmux-256color, screen, screen-256color) the X10 encoding,
// which cannot name a column or row past 223, so tmux drops clicks there. ncurses' own click
// detection is off (`mouseinterval(0)`: it holds presses back), though it still merges a press
// and a release that arrive in one read into a click; `MouseClickTracker` finds double clicks.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcurses
import CSystem
import Synchronization

/// Why the terminal could not be set up.
public enum TerminalError: Error, Equatable, CustomStringConvertible {
    /// Standard input or output is not a terminal.
    case notATerminal
    /// ncurses could not start on this terminal type.
    case cannotInitialize(term: String)
    /// Another `NcursesBackend` is already active.
    case alreadyActive

    /// The message for the user.
    public var description: String {
        switch self {
        case .notATerminal:
            return "standard input and output must be a terminal for the explorer (use a subcommand for scripts)"
        case .cannotInitialize(let term):
            return "cannot start the terminal UI on terminal type '\(term)' (check TERM)"
        case .alreadyActive:
            return "the terminal UI is already running"
        }
    }
}

// MARK: - Process-wide state touched by signal handlers and atexit

// The flags are lock-free atomics (async-signal-safe, unlike a lock).

/// SIGINT received and not yet read back as Ctrl-C.
private let pendingInterrupt = Atomic<Bool>(false)
/// The first SIGTERM or SIGHUP received, 0 for none.
private let pendingTermination = Atomic<Int32>(0)
/// Whether curses is active (set between start-up and `endwin`).
private let cursesActive = Atomic<Bool>(false)
/// Whether the atexit hook is registered.
private let atexitRegistered = Atomic<Bool>(false)

/// Leaves curses if it is active: the atexit hook.
private func endCursesAtExit() {
    guard cursesActive.exchange(false, ordering: .sequentiallyConsistent) else { return }
    vectui_fatal_unregister_terminal()
    curs_set(1)
    endwin()
}

/// Records SIGINT / SIGTERM / SIGHUP; nothing else is safe in a signal handler.
private func recordSignal(_ signal: Int32) {
    if signal == SIGINT {
        pendingInterrupt.store(true, ordering: .sequentiallyConsistent)
    } else {
        _ = pendingTermination.compareExchange(expected: 0, desired: signal, ordering: .sequentiallyConsistent)
    }
}

// MARK: - Backend

/// The ncursesw terminal: raw keys (Ctrl-C included), wide characters, colour pairs on demand.
public final class NcursesBackend: TerminalBackend {
    /// Colours the terminal shows (0 when it has none).
    public private(set) var colorCount: Int = 0
    /// `.unicode` in a UTF-8 locale, else `.ascii` (non-ASCII text is then shown as "?").
    public private(set) var charset: Charset = .unicode
    /// The theme cells are drawn with; setting it drops the cached colour pairs' lookups.
    public var theme: Theme {
        didSet { drawingCache.removeAll() }
    }

    private var screen: OpaquePointer?
    private var window: UnsafeMutablePointer<WINDOW>?
    private var defaultColorsAllowed = false
    private var pairs: [PairKey: Int16] = [:]
    private var nextPair: Int = 1
    private var drawingCache: [Style: (attributes: attr_t, pair: Int16)] = [:]
    private var cursor: Point?
    private var currentTimeout: Int32 = Int32.min
    private var previousSignalHandlers: [Int32: sighandler_t?] = [:]
    /// Whether mouse reporting is on (asked for and accepted by the terminal).
    public private(set) var mouseEnabled = false
    private var clicks = MouseClickTracker()

    private struct PairKey: Hashable {
        var foreground: Int16
        var background: Int16
    }

    /// Starts curses on the controlling terminal (standard input and output).
    /// - Parameters:
    ///   - theme: the theme to draw with; choose it after start-up with
    ///     `Theme.select(requested:colorCount:searchPaths:)` and set `theme` again if needed.
    ///   - mouse: whether to ask the terminal for mouse reports (`.mouse` keys); without them
    ///     the terminal keeps its own text selection.
    /// - Throws: `TerminalError` when there is no terminal or curses cannot start.
    public init(theme: Theme = .dark, mouse: Bool = true) throws {
        self.theme = theme
        guard !cursesActive.load(ordering: .sequentiallyConsistent) else { throw TerminalError.alreadyActive }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw TerminalError.notATerminal }

        var savedTermios = termios()
        let haveSavedTermios = tcgetattr(STDIN_FILENO, &savedTermios) == 0
        setlocale(LC_ALL, "")
        if !NcursesBackend.localeIsUTF8() {
            // Prefer UTF-8 for the terminal even when LANG is unset (as in many CI shells).
            if setlocale(LC_CTYPE, "C.UTF-8") == nil || !NcursesBackend.localeIsUTF8() { charset = .ascii }
        }

        // Our handlers go in before curses starts, so ncurses leaves SIGINT/SIGTERM to us.
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            previousSignalHandlers[signalNumber] = signal(signalNumber) { recordSignal($0) }
        }

        guard let screen = newterm(nil, CNcurses_stdout(), CNcurses_stdin()) else {
            restoreSignalHandlers()
            let term = getenv("TERM").map { String(cString: $0) } ?? "(unset)"
            throw TerminalError.cannotInitialize(term: term)
        }
        self.screen = screen
        set_term(screen)
        cursesActive.store(true, ordering: .sequentiallyConsistent)
        if !atexitRegistered.exchange(true, ordering: .sequentiallyConsistent) {
            atexit { endCursesAtExit() }
        }
        window = CNcurses_stdscr()

        raw()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        curs_set(0)
        if mouse {
            mouseinterval(0)
            mouseEnabled = mousemask(CNcurses_ALL_MOUSE_EVENTS() | CNcurses_REPORT_MOUSE_POSITION(), nil) != 0
        }
        if haveSavedTermios {
            let restore = NcursesBackend.restoreSequence(mouse: mouseEnabled)
            vectui_fatal_register_terminal(STDIN_FILENO, &savedTermios, restore, restore.count)
        }

        if has_colors() {
            start_color()
            defaultColorsAllowed = use_default_colors() == OK
            colorCount = Int(CNcurses_colors())
        }
    }

    deinit {
        shutdown()
    }

    // MARK: TerminalBackend

    /// The terminal's size (updated by curses on resize).
    public var size: Size {
        Size(width: Int(CNcurses_cols()), height: Int(CNcurses_lines()))
    }

    /// SIGTERM or SIGHUP, once received.
    public var terminationSignal: Int32? {
        let signal = pendingTermination.load(ordering: .sequentiallyConsistent)
        return signal == 0 ? nil : signal
    }

    /// Writes the cells of `runs` to the curses screen (shown at `flush()`).
    public func draw(_ runs: [CellRun]) {
        guard cursesActive.load(ordering: .sequentiallyConsistent) else { return }
        var characters: [wchar_t] = []
        characters.reserveCapacity(Int(CCHARW_MAX) + 1)
        for run in runs {
            var x = run.x
            for cell in run.cells {
                defer { x += 1 }
                guard cell.width > 0 else { continue }
                let (attributes, pair) = resolve(cell.style)
                characters.removeAll(keepingCapacity: true)
                if charset == .ascii && !cell.grapheme.unicodeScalars.allSatisfy(\.isASCII) {
                    characters.append(wchar_t(UInt8(ascii: "?")))
                    if cell.width == 2 { _ = putCharacters([wchar_t(UInt8(ascii: "?")), 0], y: run.y, x: x + 1, attributes, pair) }
                } else {
                    for scalar in cell.grapheme.unicodeScalars.prefix(Int(CCHARW_MAX)) {
                        characters.append(wchar_t(bitPattern: scalar.value))
                    }
                }
                characters.append(0)
                if putCharacters(characters, y: run.y, x: x, attributes, pair) == ERR && characters.count > 2 {
                    _ = putCharacters([characters[0], 0], y: run.y, x: x, attributes, pair)
                }
            }
        }
    }

    /// Clears the screen completely at the next flush.
    public func clear() {
        guard cursesActive.load(ordering: .sequentiallyConsistent) else { return }
        wclear(window)
    }

    /// Shows the cursor at `position` from the next flush, or hides it.
    public func setCursor(_ position: Point?) {
        cursor = position
    }

    /// Sends the drawn cells and the cursor position to the terminal.
    public func flush() {
        guard cursesActive.load(ordering: .sequentiallyConsistent) else { return }
        if let cursor {
            curs_set(1)
            leaveok(window, false)
            wmove(window, Int32(cursor.y), Int32(cursor.x))
        } else {
            curs_set(0)
            leaveok(window, true)
        }
        wrefresh(window)
    }

    /// Writes `bytes` to the terminal's file descriptor (standard output, the one curses writes
    /// to) after flushing what curses buffered, so they follow the last frame in order.
    public func writeRaw(_ bytes: [UInt8]) {
        guard cursesActive.load(ordering: .sequentiallyConsistent), !bytes.isEmpty else { return }
        fflush(CNcurses_stdout())
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return  // the terminal is gone; the next frame's write finds out too
                }
            }
        }
    }

    /// Waits up to `timeoutMilliseconds` for a key; SIGINT reads as Ctrl-C, a resize as `.resize`.
    public func readKey(timeoutMilliseconds: Int) -> Key? {
        guard cursesActive.load(ordering: .sequentiallyConsistent) else { return nil }
        if let key = takeInterrupt() { return key }
        if pendingTermination.load(ordering: .sequentiallyConsistent) != 0 { return nil }
        let timeout = Int32(clamping: timeoutMilliseconds < 0 ? -1 : timeoutMilliseconds)
        if timeout != currentTimeout {
            wtimeout(window, timeout)
            currentTimeout = timeout
        }
        var code: wint_t = 0
        let status = wget_wch(window, &code)
        if let key = takeInterrupt() { return key }
        switch status {
        case OK:
            guard let scalar = Unicode.Scalar(UInt32(code)) else { return nil }
            return Key(scalar: scalar)
        case KEY_CODE_YES where Int32(code) == KEY_MOUSE:
            return readMouse()
        case KEY_CODE_YES:
            return NcursesBackend.key(forCode: Int32(code))
        default:
            return nil
        }
    }

    /// Leaves curses and restores the terminal and the signal handlers; safe to call again.
    public func shutdown() {
        guard let screen else { return }
        self.screen = nil
        if cursesActive.exchange(false, ordering: .sequentiallyConsistent) {
            vectui_fatal_unregister_terminal()
            curs_set(1)
            endwin()
        }
        delscreen(screen)
        window = nil
        restoreSignalHandlers()
    }

    // MARK: Helpers

    /// The mouse event curses decoded (a double click found by `clicks`), or nil for none.
    private func readMouse() -> Key? {
        var report = MEVENT()
        guard mouseEnabled, getmouse(&report) == OK,
              let event = NcursesBackend.mouseEvent(state: report.bstate, row: Int(report.y), column: Int(report.x))
        else { return nil }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return .mouse(clicks.classify(event, at: Double(now.tv_sec) + Double(now.tv_nsec) / 1e9))
    }

    /// The event for a curses mouse report, or nil for a state the UI does not use.
    static func mouseEvent(state: mmask_t, row: Int, column: Int) -> MouseEvent? {
        var modifiers: MouseEvent.Modifiers = []
        if state & CNcurses_BUTTON_SHIFT() != 0 { modifiers.insert(.shift) }
        if state & CNcurses_BUTTON_ALT() != 0 { modifiers.insert(.alt) }
        if state & CNcurses_BUTTON_CTRL() != 0 { modifiers.insert(.control) }
        func event(_ kind: MouseEvent.Kind, _ button: MouseEvent.Button) -> MouseEvent {
            MouseEvent(kind, button: button, row: row, column: column, modifiers: modifiers)
        }
        if state & CNcurses_BUTTON_PRESSED(4) != 0 { return event(.wheelUp, .none) }
        if state & CNcurses_BUTTON_PRESSED(5) != 0 { return event(.wheelDown, .none) }
        let buttons: [MouseEvent.Button] = [.left, .middle, .right]
        // A press and its release read together come merged as a click: the press is what acts.
        for button in buttons {
            let number = Int32(button.rawValue)
            if state & CNcurses_BUTTON_DOUBLE_CLICKED(number) != 0 { return event(.doubleClick, button) }
            let pressed = CNcurses_BUTTON_PRESSED(number) | CNcurses_BUTTON_CLICKED(number) | CNcurses_BUTTON_TRIPLE_CLICKED(number)
            if state & pressed != 0 { return event(.press, button) }
        }
        for button in buttons where state & CNcurses_BUTTON_RELEASED(Int32(button.rawValue)) != 0 {
            return event(.release, button)
        }
        if state & CNcurses_REPORT_MOUSE_POSITION() != 0 { return event(.moved, .none) }
        return nil
    }

    /// Ctrl-C for a SIGINT received (from `kill`, since raw mode turns the keyboard's into a key).
    private func takeInterrupt() -> Key? {
        guard pendingInterrupt.exchange(false, ordering: .sequentiallyConsistent) else { return nil }
        return .ctrl("c")
    }

    private func putCharacters(_ characters: [wchar_t], y: Int, x: Int, _ attributes: attr_t, _ pair: Int16) -> Int32 {
        characters.withUnsafeBufferPointer { buffer in
            CNcurses_put(Int32(y), Int32(x), buffer.baseAddress, attributes, pair)
        }
    }

    /// The curses attributes and colour pair for a style under the current theme (cached).
    private func resolve(_ style: Style) -> (attributes: attr_t, pair: Int16) {
        if let cached = drawingCache[style] { return cached }
        let appearance = theme.appearance(for: style)
        var attributes: attr_t = 0
        if appearance.bold { attributes |= CNcurses_A_BOLD() }
        if appearance.reverse { attributes |= CNcurses_A_REVERSE() }
        if appearance.dim { attributes |= CNcurses_A_DIM() }
        if appearance.underline { attributes |= CNcurses_A_UNDERLINE() }
        var pair: Int16 = 0
        if colorCount > 0 {
            var (foreground, foregroundBold) = cursesColor(appearance.foreground, isForeground: true)
            let (background, _) = cursesColor(appearance.background, isForeground: false)
            if foreground == background && foreground >= 0 && appearance.foreground != appearance.background {
                foregroundBold = true  // a bright colour folded onto its base: keep it readable
            }
            if foregroundBold { attributes |= CNcurses_A_BOLD() }
            pair = pairNumber(foreground: foreground, background: background)
        }
        let result = (attributes, pair)
        drawingCache[style] = result
        return result
    }

    /// The curses colour number for `color`; bright colours on an 8-colour terminal become their
    /// base colour (plus bold, for a foreground), and "default" a fixed colour where curses has none.
    private func cursesColor(_ color: TerminalColor, isForeground: Bool) -> (Int16, bold: Bool) {
        switch color {
        case .default:
            if defaultColorsAllowed { return (-1, false) }
            return (isForeground ? 7 : 0, false)
        default:
            let number = color.cursesNumber
            if number >= colorCount && number >= 8 { return (Int16(number - 8), isForeground) }
            return (Int16(number), false)
        }
    }

    /// The colour pair for (foreground, background), allocated on first use; pair 0 when full.
    private func pairNumber(foreground: Int16, background: Int16) -> Int16 {
        if foreground == -1 && background == -1 { return 0 }
        let key = PairKey(foreground: foreground, background: background)
        if let pair = pairs[key] { return pair }
        let limit = min(Int(CNcurses_color_pairs()), Int(Int16.max))
        guard nextPair < limit else { return 0 }
        let pair = Int16(nextPair)
        guard init_pair(pair, foreground, background) == OK else { return 0 }
        nextPair += 1
        pairs[key] = pair
        return pair
    }

    /// Turns off every xterm mouse mode: X10 clicks (1000), button motion (1002), all motion
    /// (1003), the SGR encoding (1006).
    static let mouseOff = "\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1006l"

    /// The terminfo strings that leave full-screen mode and show the cursor (after turning
    /// mouse reporting off, when it was on), for the fatal-signal handler.
    private static func restoreSequence(mouse: Bool) -> [CChar] {
        var bytes: [CChar] = mouse ? mouseOff.utf8.map { CChar(bitPattern: $0) } : []
        for capability in ["sgr0", "cnorm", "rmkx", "rmcup"] {
            guard let value = tigetstr(capability), Int(bitPattern: value) != -1 else { continue }
            var pointer = value
            while pointer.pointee != 0 {
                bytes.append(pointer.pointee)
                pointer += 1
            }
        }
        bytes.append(contentsOf: Array("\r\n".utf8CString.dropLast()))
        return bytes
    }

    private func restoreSignalHandlers() {
        for (signalNumber, previous) in previousSignalHandlers {
            signal(signalNumber, previous ?? SIG_DFL)
        }
        previousSignalHandlers.removeAll()
    }

    /// The key for a curses key code (`KEY_*`), or nil for codes the UI does not use.
    static func key(forCode code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_DC: return .delete
        case KEY_IC: return .insert
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case CNcurses_KEY_RESIZE(): return .resize
        case (KEY_F0 + 1)...(KEY_F0 + 63): return .function(Int(code - KEY_F0))
        default: return nil
        }
    }

    /// Whether the current LC_CTYPE locale encodes UTF-8.
    private static func localeIsUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }
}
