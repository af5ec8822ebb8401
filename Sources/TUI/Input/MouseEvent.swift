// Mouse events as the UI sees them, independent of curses: where (cell row and column), what
// (press, release, double click, wheel, motion), which button and which modifiers.

/// One mouse event, in screen cells (row 0 is the top line, column 0 the left edge).
public struct MouseEvent: Hashable, Sendable {
    /// What happened.
    public enum Kind: Hashable, Sendable {
        /// A button went down (a single click acts here: selecting on press feels immediate).
        case press
        /// A button came up (terminals in X10 mode do not say which one: `button` is then `.none`).
        case release
        /// A second press of the same button on the same cell soon after the first (it comes
        /// instead of that press; see `MouseClickTracker`).
        case doubleClick
        /// The wheel turned away from the user (the content should move down: show earlier rows).
        case wheelUp
        /// The wheel turned towards the user.
        case wheelDown
        /// The pointer moved (only terminals set up to report motion send it; `button` is the
        /// one held, or `.none`).
        case moved
    }

    /// The button of a press, release or double click.
    public enum Button: Int, Hashable, Sendable {
        case none = 0, left = 1, middle = 2, right = 3
    }

    /// Keys held during the event.
    public struct Modifiers: OptionSet, Hashable, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let shift = Modifiers(rawValue: 1)
        public static let alt = Modifiers(rawValue: 2)
        public static let control = Modifiers(rawValue: 4)
    }

    public var kind: Kind
    public var button: Button
    /// The cell row, from 0 at the top.
    public var row: Int
    /// The cell column, from 0 at the left.
    public var column: Int
    public var modifiers: Modifiers

    /// An event; see the properties for the parameters.
    public init(_ kind: Kind, button: Button = .left, row: Int, column: Int, modifiers: Modifiers = []) {
        self.kind = kind
        self.button = button
        self.row = row
        self.column = column
        self.modifiers = modifiers
    }

    /// The cell the event happened in.
    public var point: Point { Point(x: column, y: row) }
}

extension MouseEvent: CustomStringConvertible {
    /// "press left at 3,10", "wheelDown at 12,40 (ctrl)": for test failures and traces.
    public var description: String {
        var text = "\(kind)"
        if button != .none && (kind == .press || kind == .release || kind == .doubleClick || kind == .moved) {
            text += " \(button)"
        }
        text += " at \(row),\(column)"
        let names = [(Modifiers.shift, "shift"), (.alt, "alt"), (.control, "ctrl")].filter { modifiers.contains($0.0) }
        if !names.isEmpty { text += " (" + names.map(\.1).joined(separator: "+") + ")" }
        return text
    }
}

/// Turns a second press of the same button on the same cell within `interval` seconds into a
/// `.doubleClick` (a third press starts over, so triple clicks are a double click and a press).
/// The backend keeps one and feeds it every event with its time; curses' own click detection
/// is off because it holds presses back for its interval.
public struct MouseClickTracker: Sendable {
    /// The longest gap between the presses of a double click, in seconds.
    public var interval: Double
    private var lastPress: (button: MouseEvent.Button, point: Point, time: Double)?

    /// A tracker with `interval` seconds between the presses of a double click.
    public init(interval: Double = 0.4) {
        self.interval = interval
    }

    /// `event`, or a `.doubleClick` in its place when it completes one.
    /// - Parameters:
    ///   - event: the event as the terminal reported it.
    ///   - time: when it arrived, in seconds on any clock that only goes forward.
    public mutating func classify(_ event: MouseEvent, at time: Double) -> MouseEvent {
        switch event.kind {
        case .press:
            if let last = lastPress, last.button == event.button, last.point == event.point,
               time - last.time <= interval {
                lastPress = nil
                var double = event
                double.kind = .doubleClick
                return double
            }
            lastPress = (event.button, event.point, time)
            return event
        case .release:
            return event
        case .doubleClick, .wheelUp, .wheelDown, .moved:
            lastPress = nil
            return event
        }
    }
}
