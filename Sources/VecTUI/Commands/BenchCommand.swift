import ArgumentParser
import Core
import Foundation

/// `vectui bench INDEX --queries FILE -k K`: batched throughput and single-query latency,
/// measured in-process after a warm-up, best of several runs.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure batched and single-query search speed.")

    @Argument(help: "A FAISS index file.") var index: String
    @Option(help: "Queries: .npy or .fvecs.") var queries: String
    @Option(name: .short, help: "Results per query.") var k: Int = 10
    @Option(help: "Timed runs of the whole batch; the best is reported.") var runs: Int = 3
    @Option(help: "How many queries to time one at a time.") var singleQueries: Int = 200
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var placement: PlacementOptions
    @OptionGroup var tuning: SearchTuningOptions
    @OptionGroup(title: "Restrictions (searches take the selector; --filter is timed too)") var restrictions: SearchFilterOptions

    func run() throws {
        try reportingErrors("benchmarking \(index)") {
            guard k >= 1, runs >= 1, singleQueries >= 1 else {
                throw UsageError(description: "-k, --runs and --single-queries must be at least 1")
            }
            let opened = try OpenedIndex(path: index)
            var parameters = try tuning.parameters(for: opened.index, path: opened.path)
            let catalog = try restrictions.catalog(for: opened.index)
            let filterTiming = try timeFilter(catalog)  // before the selector, so that its first run prepares the columns
            parameters.selector = try restrictions.selector(catalog: catalog)
            let batch = try loadQueries(path: queries, for: opened)
            guard batch.rows > 0 else { throw InputMismatchError(description: "\(queries): no queries") }
            let (idx, uploadSeconds) = try placement.placeTimed(opened.index)
            let vectorBytes = opened.index.count * opened.index.dimension * 4
            var transfer: [(String, JSONValue)] = []
            if uploadSeconds > 0 {
                // Download timed too: the whole index back to host memory, through the same chunked path.
                let start = monotonicSeconds()
                _ = try IndexMover.move(idx, to: PlacementTarget(devices: [try DeviceRegistry.shared.device(named: "cpu")],
                                                                 layout: .single, precision: .fp32))
                let downloadSeconds = monotonicSeconds() - start
                transfer = [("fp32_bytes", .int(Int64(vectorBytes))), ("upload_seconds", .double(uploadSeconds)),
                            ("upload_gb_per_s", .double(Double(vectorBytes) / uploadSeconds / 1e9)),
                            ("download_seconds", .double(downloadSeconds)),
                            ("download_gb_per_s", .double(Double(vectorBytes) / downloadSeconds / 1e9))]
            }

            // Warm-up: brings mapped pages into memory and caches norms, as a server would.
            _ = try idx.search(batch.rows(0..<min(batch.rows, 32)), k: k, parameters: parameters)
            _ = try idx.search(batch.rows(0..<1), k: k, parameters: parameters)

            var best = Double.infinity
            for _ in 0..<runs {
                let start = monotonicSeconds()
                _ = try idx.search(batch, k: k, parameters: parameters)
                best = min(best, monotonicSeconds() - start)
                try MappedFile.checkAllUnchanged()
            }

            let singleCount = min(singleQueries, batch.rows)
            var bestLatencies = [Double]()
            for _ in 0..<max(1, min(runs, 2)) {
                var latencies = [Double]()
                latencies.reserveCapacity(singleCount)
                for q in 0..<singleCount {
                    let one = batch.rows(q..<(q + 1))
                    let start = monotonicSeconds()
                    _ = try idx.search(one, k: k, parameters: parameters)
                    latencies.append(monotonicSeconds() - start)
                }
                try MappedFile.checkAllUnchanged()
                if bestLatencies.isEmpty || latencies.reduce(0, +) < bestLatencies.reduce(0, +) { bestLatencies = latencies }
            }
            let sorted = bestLatencies.sorted()
            func percentile(_ p: Double) -> Double { Core.percentile(p, ofSorted: sorted) }
            let total = sorted.reduce(0, +)
            let batchQPS = Double(batch.rows) / best
            let singleQPS = Double(singleCount) / total
            let bytes = idx.count * idx.dimension * 4

            // A scan rate means something only for exact search, which reads every vector.
            let isExact = ((idx as? IDMapIndex)?.inner ?? idx) is FlatRows
            let scanRate = Double(bytes) / (total / Double(singleCount)) / 1e9
            if json {
                var single: [(String, JSONValue)] = [
                    ("queries", .int(Int64(singleCount))), ("qps", .double(singleQPS)),
                    ("p50_ms", .double(percentile(0.5) * 1000)), ("p99_ms", .double(percentile(0.99) * 1000)),
                    ("mean_ms", .double(total / Double(singleCount) * 1000)),
                ]
                if isExact { single.append(("scan_gb_per_s", .double(scanRate))) }
                print(JSONValue.object([
                    ("index", .object([("type", .string(idx.faissClassName)), ("ntotal", .int(Int64(idx.count))),
                                       ("d", .int(Int64(idx.dimension))), ("metric", .string(idx.metric.description)),
                                       ("placement", .string(VecTUI.placement(of: idx)))])),
                    ("k", .int(Int64(k))),
                    ("transfer", .object(transfer)),
                    ("batch", .object([("queries", .int(Int64(batch.rows))), ("qps", .double(batchQPS)),
                                       ("seconds", .double(best)), ("runs", .int(Int64(runs)))])),
                    ("single", .object(single)),
                    ("filter", filterTiming.map { timing in .object([
                        ("expression", .string(restrictions.filter ?? "")), ("products", .int(Int64(timing.products))),
                        ("passing", .int(Int64(timing.passing))), ("first_ms", .double(timing.first * 1000)),
                        ("median_ms", .double(timing.median * 1000)), ("repeats", .int(Int64(timing.repeats))),
                    ]) } ?? .null),
                ]).text)
                return
            }
            print("\(opened.path): \(idx.faissClassName), \(idx.count) × \(idx.dimension), \(idx.metric), k = \(k), \(VecTUI.placement(of: idx))")
            if uploadSeconds > 0, case let .double(up) = transfer[2].1, case let .double(down) = transfer[4].1 {
                print(String(format: "  moves   upload %.2f GB/s, download %.2f GB/s (fp32 bytes)", up, down))
            }
            print(String(format: "  batch   %d queries: %.1f queries/s (best of %d: %.3f s)", batch.rows, batchQPS, runs, best))
            print(String(format: "  single  %d queries: %.1f queries/s, p50 %.3f ms, p99 %.3f ms", singleCount, singleQPS,
                         percentile(0.5) * 1000, percentile(0.99) * 1000) + (isExact ? String(format: " (%.1f GB/s scanned)", scanRate) : ""))
            if let timing = filterTiming {
                print(String(format: "  filter  %d of %d products pass: first %.1f ms (columns prepared), then median %.2f ms of %d",
                             timing.passing, timing.products, timing.first * 1000, timing.median * 1000, timing.repeats))
            }
            if let selector = parameters.selector { print("  only    \(selector)") }
        }
    }

    /// `--filter` evaluated over the catalog: the first time (which prepares its columns), then
    /// the median of repeats (prepared columns, as every later keystroke in the explorer).
    private func timeFilter(_ catalog: ProductCatalog?) throws -> (products: Int, passing: Int, first: Double, median: Double, repeats: Int)? {
        guard let expression = restrictions.filter, let catalog else { return nil }
        var start = monotonicSeconds()
        let first = try CatalogFilter(parsing: expression, catalog: catalog)
        let firstSeconds = monotonicSeconds() - start
        let repeats = max(5, runs * 5)
        var times = [Double]()
        for _ in 0..<repeats {
            start = monotonicSeconds()
            _ = try CatalogFilter(parsing: expression, catalog: catalog)
            times.append(monotonicSeconds() - start)
        }
        times.sort()
        return (catalog.products.count, first.rows?.setCount ?? catalog.products.count, firstSeconds, times[times.count / 2], repeats)
    }
}
