// Layout helpers: cut a rectangle into rows or columns by fixed sizes, ratios and the remainder.
// Layout is a pure function of the rectangle, so screens can be tested at any terminal size.

/// The size one part of a split asks for, along the split's axis.
public enum Constraint: Sendable, Equatable {
    /// Exactly `n` cells (less when the space runs out).
    case fixed(Int)
    /// `numerator / denominator` of the space to share (after spacing), rounded down.
    case ratio(Int, Int)
    /// `n` percent of the space to share (after spacing), rounded down.
    case percent(Int)
    /// At least `n` cells, plus a share of what is left as if it were `.fill(1)`.
    case min(Int)
    /// A share of what the other parts leave, in proportion to `weight` (`.fill(1)`: the remainder).
    case fill(Int)

    /// The remainder: `.fill(1)`.
    public static let remaining = Constraint.fill(1)
}

/// The direction a split lays its parts out in.
public enum Axis: Sendable, Equatable {
    /// Parts side by side, left to right (the width is divided: columns).
    case horizontal
    /// Parts stacked top to bottom (the height is divided: rows).
    case vertical
}

/// Which edge of a rectangle a slice is taken from.
public enum Edge: Sendable, Equatable {
    case top, bottom, left, right
}

extension Rect {
    /// Splits the rectangle into consecutive parts along `axis`.
    /// - Parameters:
    ///   - axis: `.horizontal` for columns side by side, `.vertical` for rows stacked.
    ///   - constraints: one per part, taken in order; fixed, ratio and minimum sizes first, then
    ///     the fills share what is left by weight. Parts that do not fit are shrunk from the end.
    ///   - spacing: empty cells between neighbouring parts.
    /// - Returns: one rectangle per constraint, in order; they never overlap or leave the rectangle.
    public func split(_ axis: Axis, _ constraints: [Constraint], spacing: Int = 0) -> [Rect] {
        let total = axis == .horizontal ? width : height
        let sizes = Rect.distribute(total, constraints, spacing: max(0, spacing))
        var offset = 0
        var parts: [Rect] = []
        parts.reserveCapacity(sizes.count)
        for size in sizes {
            let start = min(offset, total)
            switch axis {
            case .horizontal: parts.append(Rect(x: x + start, y: y, width: size, height: height))
            case .vertical: parts.append(Rect(x: x, y: y + start, width: width, height: size))
            }
            offset = start + size + spacing
        }
        return parts
    }

    /// Splits the width into columns side by side (see `split(_:_:spacing:)`).
    public func columns(_ constraints: [Constraint], spacing: Int = 0) -> [Rect] {
        split(.horizontal, constraints, spacing: spacing)
    }

    /// Splits the height into rows stacked top to bottom (see `split(_:_:spacing:)`).
    public func rows(_ constraints: [Constraint], spacing: Int = 0) -> [Rect] {
        split(.vertical, constraints, spacing: spacing)
    }

    /// Cuts `amount` cells (at most the whole) off one edge.
    /// - Returns: the slice taken from `edge` and what remains.
    public func divided(atDistance amount: Int, from edge: Edge) -> (slice: Rect, remainder: Rect) {
        switch edge {
        case .top:
            let n = Swift.min(Swift.max(0, amount), height)
            return (Rect(x: x, y: y, width: width, height: n), Rect(x: x, y: y + n, width: width, height: height - n))
        case .bottom:
            let n = Swift.min(Swift.max(0, amount), height)
            return (Rect(x: x, y: maxY - n, width: width, height: n), Rect(x: x, y: y, width: width, height: height - n))
        case .left:
            let n = Swift.min(Swift.max(0, amount), width)
            return (Rect(x: x, y: y, width: n, height: height), Rect(x: x + n, y: y, width: width - n, height: height))
        case .right:
            let n = Swift.min(Swift.max(0, amount), width)
            return (Rect(x: maxX - n, y: y, width: n, height: height), Rect(x: x, y: y, width: width - n, height: height))
        }
    }

    /// The sizes of the parts of a split of `total` cells, in order.
    static func distribute(_ total: Int, _ constraints: [Constraint], spacing: Int) -> [Int] {
        guard !constraints.isEmpty else { return [] }
        let available = Swift.max(0, total - spacing * (constraints.count - 1))
        var sizes = [Int](repeating: 0, count: constraints.count)
        var weights = [Int](repeating: 0, count: constraints.count)
        var left = available
        // Fixed, proportional and minimum sizes, in order, each clamped to what is left.
        for (index, constraint) in constraints.enumerated() {
            let wanted: Int
            switch constraint {
            case .fixed(let n): wanted = n
            case .ratio(let numerator, let denominator):
                wanted = denominator > 0 ? available * Swift.max(0, numerator) / denominator : 0
            case .percent(let p): wanted = available * Swift.max(0, p) / 100
            case .min(let n):
                wanted = n
                weights[index] = 1
            case .fill(let weight):
                wanted = 0
                weights[index] = Swift.max(0, weight)
            }
            let size = Swift.min(Swift.max(0, wanted), left)
            sizes[index] = size
            left -= size
        }
        // The fills (and minimums) share the rest by weight; rounding leftovers go to the first ones.
        let totalWeight = weights.reduce(0, +)
        if totalWeight > 0 && left > 0 {
            var shares = weights.map { left * $0 / totalWeight }
            var extra = left - shares.reduce(0, +)
            for index in shares.indices where extra > 0 && weights[index] > 0 {
                shares[index] += 1
                extra -= 1
            }
            for index in sizes.indices { sizes[index] += shares[index] }
        }
        return sizes
    }
}
