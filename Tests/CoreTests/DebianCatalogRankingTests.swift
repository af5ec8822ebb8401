import Foundation
import XCTest
@testable import Core

/// The name filter on a real catalog: Debian's package list (what this machine's apt knows),
/// written as JSONL by scripts/debian-catalog at test time and read as the explorer reads it.
final class DebianCatalogRankingTests: XCTestCase {
    static let catalog: (titles: [String], names: [String]) = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("debian-\(getpid()).jsonl")
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/debian-catalog")
        process.arguments = [out.path]
        do { try process.run() } catch { fatalError("scripts/debian-catalog: \(error)") }
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "scripts/debian-catalog failed")
        guard let products = try? ProductCatalog(path: out.path, join: .idField("id")).products else {
            fatalError("the Debian catalog did not load")
        }
        return (products.map(\.title), products.map { $0.fields["name"] ?? "" })
    }()

    let filter = TitleFilter(titles: catalog.titles)

    func titles(_ query: String, _ count: Int) throws -> [String] {
        try filter.search(query).indices.prefix(count).map { Self.catalog.titles[$0] }
    }

    func testTheCatalogIsLarge() {
        XCTAssertGreaterThan(Self.catalog.titles.count, 10_000)
    }

    func testExactNamesComeFirst() throws {
        // Before ranking, "nginx" listed golang-github-nginxinc-… and libnginx-mod-* first.
        for name in ["nginx", "vim", "gimp", "python3", "git"] {
            let top = try titles(name, 3)
            XCTAssertTrue(top.first?.hasPrefix(name + " — ") == true, "'\(name)': \(top)")
            XCTAssertEqual(try filter.search(name).tierCounts[TitleFilter.Tier.exact.rawValue], 1, name)
        }
        // Then the packages whose names begin with it.
        XCTAssertTrue(try titles("nginx", 6).dropFirst().allSatisfy { $0.hasPrefix("nginx-") })
        // A key field given as names works as well as the leading name.
        let named = TitleFilter(titles: Self.catalog.titles.map { $0.components(separatedBy: " — ").last! },
                                names: Self.catalog.names)
        let nginx = try named.search("nginx")
        XCTAssertEqual(Self.catalog.names[nginx.indices[0]], "nginx", "\(nginx.indices.prefix(3).map { Self.catalog.names[$0] })")
    }

    func testTyposFindTheirWords() throws {
        for (typo, word) in [("imgae", "image"), ("pyhton", "python"), ("editr", "edit")] {
            let matches = try filter.search(typo)
            XCTAssertTrue(matches.includesApproximate, typo)
            let top = matches.indices.prefix(20).map { Self.catalog.titles[$0].lowercased() }
            XCTAssertGreaterThanOrEqual(top.filter { $0.contains(word) }.count, 15, "'\(typo)': \(top)")
            let shown = filter.highlights(typo, at: matches.indices[10])
            XCTAssertFalse(shown.isEmpty, typo)
        }
    }

    func testMultiWordQueries() throws {
        let top = try titles("python image", 10)
        XCTAssertTrue(top.allSatisfy { $0.lowercased().contains("python") && $0.lowercased().contains("image") }, "\(top)")
        let web = try titles("web server", 5)
        XCTAssertTrue(web.allSatisfy { $0.lowercased().contains("web") && $0.lowercased().contains("server") }, "\(web)")
    }
}
