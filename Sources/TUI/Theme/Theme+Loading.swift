// Finding themes by name in search folders (then among the built-ins), and choosing the theme
// at start-up: the requested one, monochrome under NO_COLOR or without colours, else dark.

import Foundation

extension Theme {
    /// The theme used when none is requested and the terminal has colours.
    public static let defaultName = "dark"

    /// Where themes are looked for, first match wins (the built-ins come after all of these):
    /// `$XDG_CONFIG_HOME/vectui/themes` (or `~/.config/vectui/themes`), `./themes`, and
    /// `themes` / `../share/vectui/themes` beside the executable.
    /// - Parameters:
    ///   - environment: the process environment (for XDG_CONFIG_HOME and HOME).
    ///   - executablePath: the running program's path, if known.
    public static func defaultSearchPaths(environment: [String: String] = ProcessInfo.processInfo.environment,
                                          executablePath: String? = CommandLine.arguments.first) -> [String] {
        var paths: [String] = []
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
            paths.append(config + "/vectui/themes")
        } else if let home = environment["HOME"], !home.isEmpty {
            paths.append(home + "/.config/vectui/themes")
        }
        paths.append("themes")
        if let executablePath, executablePath.contains("/") {
            let folder = (executablePath as NSString).deletingLastPathComponent
            paths.append(folder + "/themes")
            paths.append(folder + "/../share/vectui/themes")
        }
        return paths
    }

    /// The names of every theme that `load` can find: `*.theme` files in `searchPaths` and the built-ins, sorted.
    public static func availableNames(searchPaths: [String]) -> [String] {
        var names = Set(builtInNames)
        for folder in searchPaths {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for file in files where file.hasSuffix(".theme") && file.count > ".theme".count {
                names.insert(String(file.dropLast(".theme".count)))
            }
        }
        return names.sorted()
    }

    /// Loads a theme by name from the first search folder holding `name.theme`, else a built-in;
    /// a name with a "/" or ending in ".theme" is read as a file path.
    /// - Parameters:
    ///   - name: a theme name ("light") or a path to a theme file.
    ///   - searchPaths: folders to look in, in order (see `defaultSearchPaths`).
    /// - Returns: the parsed theme.
    /// - Throws: `ThemeError.unknownTheme` listing the available themes, `.unreadable`, or `.syntax`.
    public static func load(name: String, searchPaths: [String]) throws -> Theme {
        if name.contains("/") || name.hasSuffix(".theme") {
            let themeName = ((name as NSString).lastPathComponent as NSString).deletingPathExtension
            return try loadFile(atPath: name, name: themeName)
        }
        for folder in searchPaths {
            let path = folder + "/" + name + ".theme"
            if FileManager.default.fileExists(atPath: path) {
                return try loadFile(atPath: path, name: name)
            }
        }
        if let source = builtInSources[name] {
            return try parse(source, name: name)
        }
        throw ThemeError.unknownTheme(name: name, available: availableNames(searchPaths: searchPaths))
    }

    /// Reads and parses one theme file; errors name the file as given.
    static func loadFile(atPath path: String, name: String) throws -> Theme {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "no such file"
            throw ThemeError.unreadable(path: path, reason: reason)
        }
        return try parse(text, name: name, file: path)
    }

    /// Whether the environment asks for no colour: NO_COLOR set to a non-empty value (no-color.org).
    public static func noColorRequested(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let value = environment["NO_COLOR"] else { return false }
        return !value.isEmpty
    }

    /// Chooses the theme at start-up.
    ///
    /// A requested theme (`--theme`) wins over NO_COLOR, as no-color.org asks; without one,
    /// NO_COLOR picks monochrome. A terminal without colours always gets monochrome, but a
    /// requested theme is still loaded first so that a wrong name is reported.
    /// - Parameters:
    ///   - requested: the theme named by the user, or nil.
    ///   - environment: the process environment (for NO_COLOR).
    ///   - colorCount: colours the terminal shows (`TerminalBackend.colorCount`; 0 for none).
    ///   - searchPaths: folders to look in.
    /// - Returns: the theme to draw with.
    /// - Throws: the errors of `load(name:searchPaths:)`.
    public static func select(requested: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                              colorCount: Int, searchPaths: [String]) throws -> Theme {
        let chosen = try requested.map { try load(name: $0, searchPaths: searchPaths) }
        if colorCount < 8 {
            return try load(name: "monochrome", searchPaths: searchPaths)
        }
        if let chosen { return chosen }
        if noColorRequested(environment: environment) {
            return try load(name: "monochrome", searchPaths: searchPaths)
        }
        return try load(name: defaultName, searchPaths: searchPaths)
    }
}
