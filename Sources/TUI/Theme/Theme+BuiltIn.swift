// The built-in themes: copies of themes/*.theme compiled in, so the program has its themes
// wherever it runs. ThemeTests checks that each copy equals its file; after editing a file,
// paste its new text here.

extension Theme {
    /// The names of the built-in themes.
    public static let builtInNames = ["dark", "light", "monochrome"]

    /// The theme-file text of each built-in theme, by name.
    public static let builtInSources: [String: String] = [
        "dark": #"""
        # VecTUI dark theme (the default): for terminals with a dark background.
        #
        # One role per line:   role = foreground [on background] [bold] [reverse] [dim] [underline]
        # Colours: default (the terminal's own), black, red, green, yellow, blue, magenta, cyan, white,
        # and bright-black (grey) ... bright-white. A role that is not listed falls back to its parent
        # ("device.3" -> "device"), then to "text". Copy this file to ~/.config/vectui/themes/NAME.theme
        # and start with --theme NAME to make your own.

        text               = default
        dim                = bright-black
        border             = bright-black
        border.focused     = cyan bold
        title              = white bold
        title.focused      = bright-cyan bold
        header             = yellow bold
        selection          = black on cyan
        selection.inactive = default on bright-black

        # Memory bars: index data / scratch / other / free.
        gauge.index        = green
        gauge.scratch      = yellow
        gauge.other        = magenta
        gauge.free         = bright-black
        gauge.label        = default
        progress           = cyan
        progress.track     = bright-black

        # One colour per device (host first, then each OpenCL device).
        device.0           = green
        device.1           = cyan
        device.2           = magenta
        device.3           = yellow
        device.4           = blue
        device.5           = red
        device.6           = bright-green
        device.7           = bright-cyan

        warning            = yellow bold
        error              = bright-red bold
        success            = green bold

        footer.key         = black on cyan
        footer.label       = default
        input              = bright-white
        input.prompt       = cyan bold
        input.placeholder  = bright-black
        match              = bright-yellow bold
        """# + "\n",
        "light": #"""
        # VecTUI light theme: for terminals with a light (white or cream) background.
        #
        # One role per line:   role = foreground [on background] [bold] [reverse] [dim] [underline]
        # Colours: default (the terminal's own), black, red, green, yellow, blue, magenta, cyan, white,
        # and bright-black (grey) ... bright-white. A role that is not listed falls back to its parent
        # ("device.3" -> "device"), then to "text".

        text               = default
        dim                = bright-black
        border             = bright-black
        border.focused     = blue bold
        title              = black bold
        title.focused      = blue bold
        header             = blue bold
        selection          = white on blue
        selection.inactive = black on white

        # Memory bars: index data / scratch / other / free.
        gauge.index        = green
        gauge.scratch      = blue
        gauge.other        = magenta
        gauge.free         = bright-black
        gauge.label        = default
        progress           = blue
        progress.track     = bright-black

        # One colour per device (host first, then each OpenCL device).
        device.0           = green
        device.1           = blue
        device.2           = magenta
        device.3           = cyan
        device.4           = red
        device.5           = black
        device.6           = bright-blue
        device.7           = bright-magenta

        warning            = black on yellow
        error              = red bold
        success            = green bold

        footer.key         = white on blue
        footer.label       = default
        input              = black
        input.prompt       = blue bold
        input.placeholder  = bright-black
        match              = magenta bold
        """# + "\n",
        "monochrome": #"""
        # VecTUI monochrome theme: no colours, attributes only. Chosen automatically when NO_COLOR is
        # set (https://no-color.org) or the terminal has no colours; widgets also tell the memory-bar
        # segments apart by their glyphs, so nothing depends on colour.
        #
        # One role per line:   role = foreground [on background] [bold] [reverse] [dim] [underline]

        text               = default
        dim                = dim
        border             = default
        border.focused     = bold
        title              = bold
        title.focused      = bold underline
        header             = bold underline
        selection          = reverse
        selection.inactive = underline

        gauge.index        = default
        gauge.scratch      = default
        gauge.other        = default
        gauge.free         = dim
        gauge.label        = default
        progress           = default
        progress.track     = dim

        device             = default

        warning            = bold
        error              = bold reverse
        success            = bold

        footer.key         = reverse
        footer.label       = default
        input              = default
        input.prompt       = bold
        input.placeholder  = dim
        match              = bold underline
        """# + "\n",
    ]

    /// The default theme for colour terminals.
    public static let dark = builtIn("dark")
    /// The theme for light terminal backgrounds.
    public static let light = builtIn("light")
    /// The theme without colours (NO_COLOR, or a terminal without colours).
    public static let monochrome = builtIn("monochrome")

    /// Parses a built-in theme; they are checked by the tests, so a failure here is a bug.
    static func builtIn(_ name: String) -> Theme {
        guard let source = builtInSources[name] else { preconditionFailure("no built-in theme '\(name)'") }
        do {
            return try Theme.parse(source, name: name)
        } catch {
            preconditionFailure("built-in theme '\(name)' does not parse: \(error)")
        }
    }
}
