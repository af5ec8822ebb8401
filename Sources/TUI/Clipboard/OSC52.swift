// Setting the clipboard through the terminal: OSC 52 (`ESC ] 52 ; c ; BASE64 BEL`), which
// xterm introduced and most terminals now take (kitty, WezTerm, iTerm2, Windows Terminal,
// foot, Alacritty, hterm). The bytes travel with the screen's own output, so it works over
// ssh. tmux takes it from a pane when `set -g set-clipboard on` (it keeps a paste buffer and
// passes the sequence on to the outer terminal); the default, `external`, drops it. The DCS
// passthrough (`ESC P tmux; …`) is not used: it needs `allow-passthrough on` (off by default
// since tmux 3.3) and skips tmux's buffers. There is no answer: a terminal that does not take
// OSC 52 ignores it silently.

/// The OSC 52 "set the clipboard" sequence.
public enum OSC52 {
    /// The longest sequence sent: 100,000 bytes, the limit hterm (ChromeOS) and the clipboard
    /// scripts after it keep to. Some terminals take more (tmux 3.3: 1 MiB; xterm, kitty,
    /// WezTerm grow their buffers), a few less.
    public static let maximumSequenceBytes = 100_000

    /// The bytes around the payload: `ESC ] 52 ; c ;` and BEL.
    static let prefix: [UInt8] = [0x1B, 0x5D] + Array("52;c;".utf8)
    static let terminator: UInt8 = 0x07

    /// The longest text (in UTF-8 bytes) whose sequence fits `maximumSequenceBytes`.
    public static var maximumTextBytes: Int {
        (maximumSequenceBytes - prefix.count - 1) / 4 * 3
    }

    /// The sequence that puts `text` on the clipboard (`c`: the clipboard selection).
    public static func sequence(copying text: String) -> [UInt8] {
        prefix + base64(Array(text.utf8)) + [terminator]
    }

    /// Standard base64 (RFC 4648, with `=` padding), as bytes.
    /// - Complexity: O(n).
    public static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            output.append(alphabet[Int(triple >> 18 & 63)])
            output.append(alphabet[Int(triple >> 12 & 63)])
            output.append(remaining > 1 ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return output
    }
}
