import ArgumentParser
import Core
import Foundation

/// `vectui filter CATALOG QUERY` (hidden): the explorer's name filter from the command line —
/// the best matches of a query, or with `--type` the time of each keystroke as queries are typed
/// letter by letter (what `benchmarks/bench_ranking.py` runs).
struct FilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter", abstract: "Rank a catalog's titles against a query, or time typing queries.",
        shouldDisplay: false)

    @Argument(help: "A product catalog (JSONL, or CSV with a header).") var catalog: String
    @Argument(help: "The query (words that must all match).") var query: String?
    @Option(name: .customLong("title-field"), help: "The catalog field shown as the name (default: title, else name).")
    var titleField: String?
    @Option(name: .customLong("name-field"), help: "A catalog field that is also the title's name for exact matches.")
    var nameField: String?
    @Option(help: "How many matches to print.") var limit = 20
    @Option(name: .customLong("type"), help: "Time this query typed letter by letter (repeatable).") var typed: [String] = []
    @Option(help: "With --type: the catalog's titles this many times over (for a million titles).") var `repeat` = 1
    @Option(help: "With --type: how many times each query is typed.") var rounds = 5
    @Option(help: "With --type: rows drawn per keystroke (the page whose highlights are computed).") var page = 40
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try reportingErrors("filtering \(catalog)") {
            let products = try ProductCatalog(path: catalog, join: .rowNumber, titleField: titleField).products
            let names = nameField.map { field in products.map { $0.fields[field] ?? "" } }
            if !typed.isEmpty {
                try runTyping(products.map(\.title), names: names)
                return
            }
            guard let query else { throw UsageError(description: "give a query, or --type QUERY to time typing") }
            let filter = TitleFilter(titles: products.map(\.title), names: names)
            let start = monotonicSeconds()
            let matches = try filter.search(query)
            let milliseconds = (monotonicSeconds() - start) * 1000
            let shown = matches.indices.prefix(limit)
            if json {
                let items = shown.map { position in
                    let title = products[position].title
                    let spans = filter.highlights(query, at: position).map { range -> JSONValue in
                        .array([.int(Int64(title.distance(from: title.startIndex, to: range.lowerBound))),
                                .int(Int64(title.distance(from: title.startIndex, to: range.upperBound)))])
                    }
                    return JSONValue.object([("row", .int(Int64(position))), ("id", .int(products[position].id)),
                                             ("title", .string(title)), ("highlights", .array(spans))])
                }
                print(JSONValue.object([("query", .string(query)), ("count", .int(Int64(matches.indices.count))),
                                        ("approximate", .bool(matches.includesApproximate)),
                                        ("milliseconds", .double(milliseconds)), ("matches", .array(items))]).text)
            } else {
                for position in shown {
                    print("\(position)\t\(FilterCommand.bracketed(products[position].title, filter.highlights(query, at: position)))")
                }
                printToStderr(String(format: "%d matches of %d titles%@, %.2f ms", matches.indices.count, filter.count,
                                     matches.includesApproximate ? " (with typos and subsequences)" : "", milliseconds))
            }
        }
    }

    /// Types each `--type` query letter by letter over the titles repeated `--repeat` times,
    /// timing each keystroke's search and the highlights of its first page.
    private func runTyping(_ titles: [String], names: [String]?) throws {
        guard `repeat` >= 1, rounds >= 1 else { throw UsageError(description: "--repeat and --rounds must be at least 1") }
        let all = Array((0..<`repeat`).map { _ in titles }.joined())
        let buildStart = monotonicSeconds()
        let filter = TitleFilter(titles: all, names: names.map { names in Array((0..<`repeat`).map { _ in names }.joined()) })
        let buildSeconds = monotonicSeconds() - buildStart
        var times = [Double]()
        var perQuery = [(query: String, milliseconds: Double, count: Int)]()
        var approximate = [Double]()
        for _ in 0..<rounds {
            for text in typed {
                var prefix = ""
                for character in text {
                    prefix.append(character)
                    let start = monotonicSeconds()
                    let matches = try filter.search(prefix)
                    for position in matches.indices.prefix(page) { _ = filter.highlights(prefix, at: position) }
                    let milliseconds = (monotonicSeconds() - start) * 1000
                    times.append(milliseconds)
                    if matches.includesApproximate { approximate.append(milliseconds) }
                    perQuery.append((prefix, milliseconds, matches.indices.count))
                }
            }
        }
        let sorted = times.sorted(), approximateSorted = approximate.sorted()
        func at(_ p: Double) -> Double { percentile(p, ofSorted: sorted) }
        func approximateAt(_ p: Double) -> Double { approximateSorted.isEmpty ? 0 : percentile(p, ofSorted: approximateSorted) }
        let slowest = perQuery.sorted { $0.milliseconds > $1.milliseconds }.prefix(3)
        if json {
            print(JSONValue.object([
                ("titles", .int(Int64(filter.count))), ("build_s", .double(buildSeconds)),
                ("keystrokes", .int(Int64(times.count))), ("p50_ms", .double(at(0.5))), ("p99_ms", .double(at(0.99))),
                ("max_ms", .double(sorted.last ?? 0)),
                ("approximate_keystrokes", .int(Int64(approximate.count))),
                ("approximate_p50_ms", .double(approximateAt(0.5))), ("approximate_p99_ms", .double(approximateAt(0.99))),
                ("slowest", .array(slowest.map { .object([("query", .string($0.query)), ("ms", .double($0.milliseconds)),
                                                          ("count", .int(Int64($0.count)))]) })),
            ]).text)
        } else {
            print(String(format: "%d titles (built in %.2f s), %d keystrokes: p50 %.2f ms, p99 %.2f ms, max %.2f ms; "
                         + "%d with typos and subsequences: p50 %.2f ms, p99 %.2f ms",
                         filter.count, buildSeconds, times.count, at(0.5), at(0.99), sorted.last ?? 0,
                         approximate.count, approximateAt(0.5), approximateAt(0.99)))
            for entry in slowest {
                print(String(format: "  '%@' %.2f ms, %d matches", entry.query, entry.milliseconds, entry.count))
            }
        }
    }

    /// `title` with its highlighted ranges in [brackets].
    static func bracketed(_ title: String, _ ranges: [Range<String.Index>]) -> String {
        var text = "", index = title.startIndex
        for range in ranges {
            text += title[index..<range.lowerBound] + "[" + title[range] + "]"
            index = range.upperBound
        }
        return text + title[index...]
    }
}
