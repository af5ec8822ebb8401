import Foundation
import XCTest
@testable import TUI

final class ThemeParsingTests: XCTestCase {
    func testParsesAGoodFile() throws {
        let text = """
        # a comment
        text = default
          border.focused = cyan bold   # trailing comment
        selection=black on cyan
        footer.key = on blue reverse
        dim = dim
        error = bright-red on default bold underline\r
        device.0 = Green

        """
        let theme = try Theme.parse(text, name: "test")
        XCTAssertEqual(theme.name, "test")
        XCTAssertEqual(theme.appearances.count, 7)
        XCTAssertEqual(theme.appearances["border.focused"], Appearance(foreground: .cyan, bold: true))
        XCTAssertEqual(theme.appearances["selection"], Appearance(foreground: .black, background: .cyan))
        XCTAssertEqual(theme.appearances["footer.key"], Appearance(background: .blue, reverse: true))
        XCTAssertEqual(theme.appearances["dim"], Appearance(dim: true))
        XCTAssertEqual(theme.appearances["error"], Appearance(foreground: .brightRed, bold: true, underline: true))
        XCTAssertEqual(theme.appearances["device.0"], Appearance(foreground: .green))
    }

    func testRoleFallsBackToParentThenText() throws {
        let theme = try Theme.parse("text = white\nborder = blue\ndevice = red\n", name: "t")
        XCTAssertEqual(theme.appearance(for: "border.focused").foreground, .blue)
        XCTAssertEqual(theme.appearance(for: "device.5").foreground, .red)
        XCTAssertEqual(theme.appearance(for: "gauge.index").foreground, .white)
        XCTAssertEqual(Theme(name: "empty", appearances: [:]).appearance(for: "x"), Appearance())
        let styled = theme.appearance(for: Style(role: "border", bold: true, reverse: true))
        XCTAssertEqual(styled, Appearance(foreground: .blue, bold: true, reverse: true))
    }

    func testColourNames() {
        XCTAssertEqual(TerminalColor(name: "bright-red"), .brightRed)
        XCTAssertEqual(TerminalColor(name: "bright_red"), .brightRed)
        XCTAssertEqual(TerminalColor(name: "BrightRed"), .brightRed)
        XCTAssertEqual(TerminalColor(name: "grey"), .brightBlack)
        XCTAssertEqual(TerminalColor(name: "default"), .default)
        XCTAssertNil(TerminalColor(name: "purple"))
        XCTAssertEqual(TerminalColor.allCases.count, 17)
        XCTAssertEqual(TerminalColor.brightWhite.cursesNumber, 15)
    }

    private func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ThemeError? {
        do {
            _ = try Theme.parse(text, name: "broken")
            XCTFail("expected a parse error", file: file, line: line)
            return nil
        } catch let error as ThemeError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return nil
        }
    }

    func testBadLinesNameFileAndLine() {
        let unknownColour = parseError("text = default\n# fine\nborder = purpel bold\n")
        guard case let .syntax(file, line, message)? = unknownColour else { return XCTFail("\(String(describing: unknownColour))") }
        XCTAssertEqual(file, "broken.theme")
        XCTAssertEqual(line, 3)
        XCTAssertTrue(message.hasPrefix("unknown colour 'purpel' for role 'border'"), message)
        XCTAssertTrue(unknownColour!.description.hasPrefix("broken.theme:3: unknown colour 'purpel'"))
        XCTAssertTrue(message.contains("bright-black"), "the message lists the colours")
    }

    func testOtherSyntaxErrors() {
        let cases: [(String, Int, String)] = [
            ("text default\n", 1, "expected 'role = foreground"),
            ("= red\n", 1, "missing role name"),
            ("\n\ntext =\n", 3, "no colours or attributes for role 'text'"),
            ("text = red blink\n", 1, "unknown attribute 'blink'"),
            ("text = red blue\n", 1, "unexpected colour 'blue'"),
            ("text = red on\n", 1, "missing background colour after 'on'"),
            ("text = red\ntext = blue\n", 2, "role 'text' is already set on line 1"),
            ("bad role = red\n", 1, "invalid role name 'bad role'"),
        ]
        for (text, expectedLine, expectedStart) in cases {
            guard case let .syntax(_, line, message)? = parseError(text) else { continue }
            XCTAssertEqual(line, expectedLine, text)
            XCTAssertTrue(message.hasPrefix(expectedStart), "\(text): \(message)")
        }
    }

    func testSerializedRoundTrips() throws {
        for theme in [Theme.dark, Theme.light, Theme.monochrome] {
            XCTAssertEqual(try Theme.parse(theme.serialized(), name: theme.name), theme)
        }
    }
}

final class ThemeLoadingTests: XCTestCase {
    private var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "tui-themes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The repository's themes/ folder.
    private var repositoryThemes: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("themes").path
    }

    func testBuiltInsMatchTheThemeFiles() throws {
        for name in Theme.builtInNames {
            let file = try String(contentsOfFile: repositoryThemes + "/\(name).theme", encoding: .utf8)
            XCTAssertEqual(Theme.builtInSources[name], file, "Theme+BuiltIn.swift is out of date for \(name).theme")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: repositoryThemes).filter { $0.hasSuffix(".theme") }
        XCTAssertEqual(Set(files), Set(Theme.builtInNames.map { "\($0).theme" }))
    }

    func testBuiltInsCoverEveryWidgetRole() throws {
        let roles = [Role.text, Role.dim, Role.border, Role.borderFocused, Role.title, Role.titleFocused, Role.header,
                     Role.selection, Role.selectionInactive, Role.gaugeIndex, Role.gaugeScratch, Role.gaugeOther,
                     Role.gaugeFree, Role.gaugeLabel, Role.progress, Role.progressTrack, Role.warning, Role.error,
                     Role.success, Role.footerKey, Role.footerLabel, Role.input, Role.inputPrompt,
                     Role.inputPlaceholder] + (0..<8).map(Role.device)
        for name in Theme.builtInNames {
            let theme = try Theme.load(name: name, searchPaths: [repositoryThemes])
            XCTAssertEqual(theme, Theme.builtIn(name))
            for role in roles {
                let parent = role.split(separator: ".").first.map(String.init) ?? role
                XCTAssertTrue(theme.appearances[role] != nil || theme.appearances[parent] != nil, "\(name) lacks \(role)")
            }
        }
        for theme in [Theme.monochrome] {
            for (role, appearance) in theme.appearances {
                XCTAssertEqual(appearance.foreground, .default, role)
                XCTAssertEqual(appearance.background, .default, role)
            }
        }
    }

    func testLoadsFromSearchPathBeforeBuiltIns() throws {
        try "text = red\n".write(toFile: folder + "/dark.theme", atomically: true, encoding: .utf8)
        try "text = green\n".write(toFile: folder + "/solar.theme", atomically: true, encoding: .utf8)
        XCTAssertEqual(try Theme.load(name: "dark", searchPaths: [folder]).appearance(for: "text").foreground, .red)
        XCTAssertEqual(try Theme.load(name: "solar", searchPaths: ["/nonexistent", folder]).name, "solar")
        XCTAssertEqual(try Theme.load(name: "light", searchPaths: [folder]), Theme.light)
        XCTAssertEqual(try Theme.load(name: folder + "/solar.theme", searchPaths: []).name, "solar")
    }

    func testUnknownThemeListsTheAvailableOnes() throws {
        try "text = green\n".write(toFile: folder + "/solar.theme", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Theme.load(name: "neon", searchPaths: [folder])) { error in
            XCTAssertEqual(error as? ThemeError, .unknownTheme(name: "neon", available: ["dark", "light", "monochrome", "solar"]))
            XCTAssertEqual("\(error)", "unknown theme 'neon'; available themes: dark, light, monochrome, solar")
        }
    }

    func testBadThemeFileErrorNamesThePath() throws {
        let path = folder + "/broken.theme"
        try "text = default\nborder = sky\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Theme.load(name: "broken", searchPaths: [folder])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path):2: unknown colour 'sky'"), "\(error)")
        }
        XCTAssertThrowsError(try Theme.load(name: folder + "/missing.theme", searchPaths: [])) { error in
            XCTAssertEqual(error as? ThemeError, .unreadable(path: folder + "/missing.theme", reason: "no such file"))
        }
    }

    func testNoColorSelectsMonochrome() throws {
        let paths = [folder!]
        XCTAssertEqual(try Theme.select(requested: nil, environment: [:], colorCount: 256, searchPaths: paths), .dark)
        XCTAssertEqual(try Theme.select(requested: nil, environment: ["NO_COLOR": "1"], colorCount: 256, searchPaths: paths),
                       .monochrome)
        XCTAssertEqual(try Theme.select(requested: nil, environment: ["NO_COLOR": ""], colorCount: 256, searchPaths: paths),
                       .dark, "an empty NO_COLOR does not count")
        XCTAssertEqual(try Theme.select(requested: "light", environment: ["NO_COLOR": "1"], colorCount: 256,
                                        searchPaths: paths), .light, "an explicit theme wins over NO_COLOR")
        XCTAssertTrue(Theme.noColorRequested(environment: ["NO_COLOR": "yes"]))
        XCTAssertFalse(Theme.noColorRequested(environment: [:]))
    }

    func testTerminalWithoutColoursGetsMonochrome() throws {
        XCTAssertEqual(try Theme.select(requested: nil, environment: [:], colorCount: 0, searchPaths: []), .monochrome)
        XCTAssertEqual(try Theme.select(requested: "light", environment: [:], colorCount: 0, searchPaths: []), .monochrome)
        XCTAssertThrowsError(try Theme.select(requested: "neon", environment: [:], colorCount: 0, searchPaths: []))
    }

    func testDefaultSearchPaths() {
        let paths = Theme.defaultSearchPaths(environment: ["HOME": "/home/u"], executablePath: "/opt/vectui/bin/vectui")
        XCTAssertEqual(paths, ["/home/u/.config/vectui/themes", "themes", "/opt/vectui/bin/themes",
                               "/opt/vectui/bin/../share/vectui/themes"])
        XCTAssertEqual(Theme.defaultSearchPaths(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"], executablePath: "vectui"),
                       ["/x/vectui/themes", "themes"])
    }
}
