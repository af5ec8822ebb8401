import XCTest
@testable import Core

/// `SearchParameters.selector` on every index kind: the results are the best k that pass.
final class IDSelectorTests: XCTestCase {
    // MARK: - The selector itself

    func testBitmapOperations() {
        var bits = IDBitmap(count: 130)
        bits.setRange(3..<70)
        XCTAssertEqual(bits.setCount, 67)
        XCTAssertFalse(bits[2])
        XCTAssertTrue(bits[3] && bits[64] && bits[69])
        XCTAssertFalse(bits[70])
        bits[129] = true
        XCTAssertTrue(bits.contains(129))
        XCTAssertFalse(bits.contains(130))
        XCTAssertFalse(bits.contains(-1))
        var inverted = bits
        inverted.invert()
        XCTAssertEqual(inverted.setCount, 130 - 68)
        XCTAssertFalse(inverted.contains(130), "inverting never sets bits past the count")
        inverted.formIntersection(bits)
        XCTAssertEqual(inverted.setCount, 0)
        XCTAssertEqual(IDBitmap(count: 70, repeating: true).setCount, 70)
        XCTAssertEqual(bits.setIndices.prefix(3), [3, 4, 5])
    }

    /// Every form answers `contains` and its row masks (direct and through an IDMap's ids, with
    /// repeated ids) as a plain set would.
    func testFormsAndRowMasksAgreeWithSets() {
        var bitmap = IDBitmap(count: 90)
        for i in stride(from: 0, to: 90, by: 3) { bitmap[i] = true }
        let batch: [Int64] = [5, 1, 77, 77, -4, 40, 1000, 2]
        let selectors: [(IDSelector, (Int64) -> Bool)] = [
            (.range(10..<50), { $0 >= 10 && $0 < 50 }),
            (.batch(batch), { batch.contains($0) }),
            (.bitmap(bitmap), { $0 >= 0 && $0 < 90 && $0 % 3 == 0 }),
            (IDSelector.batch(batch).inverted, { !batch.contains($0) }),
            (IDSelector.range(0..<60).intersection(.bitmap(bitmap)), { $0 < 60 && $0 >= 0 && $0 % 3 == 0 }),
            (IDSelector.range(80..<85).union(.batch(batch)), { ($0 >= 80 && $0 < 85) || batch.contains($0) }),
        ]
        var rng = SplitMix64(seed: 3)
        // Ids of an IDMap: repeats, negatives, large values, in no order.
        let mapped: [Int64] = (0..<300).map { _ in Int64(rng.next() % 120) - 10 } + [1000, 77, 77]
        let order = Array(mapped.indices).sorted { mapped[$0] < mapped[$1] || (mapped[$0] == mapped[$1] && $0 < $1) }
        for (selector, expected) in selectors {
            for id in Int64(-20)...1100 { XCTAssertEqual(selector.contains(id), expected(id), "\(selector) at \(id)") }
            let rows = selector.rowMask(count: 100)
            for row in 0..<100 { XCTAssertEqual(rows[row], expected(Int64(row)), "\(selector) row \(row)") }
            let translated = selector.rowMask(ids: mapped, order: order)
            for row in mapped.indices {
                XCTAssertEqual(translated[row], expected(mapped[row]), "\(selector) mapped row \(row) (id \(mapped[row]))")
            }
        }
        // Small and large batches take different paths through an IDMap's order.
        let big = IDSelector.batch((0..<200).map { Int64($0 * 2) })
        let translated = big.rowMask(ids: mapped, order: order)
        for row in mapped.indices { XCTAssertEqual(translated[row], mapped[row] >= 0 && mapped[row] < 400 && mapped[row] % 2 == 0) }
    }

    // MARK: - Searches

    /// The best k that pass, from a full ranking of the unfiltered search: what a filtered
    /// search must return (same kernels, so the same scores).
    private func expected(_ index: any VectorIndex, _ queries: VectorMatrix, k: Int, parameters: SearchParameters = SearchParameters(),
                          passes: (Int64) -> Bool) throws -> (ids: [[Int64]], scores: [[Float]]) {
        let full = try index.search(queries, k: index.count, parameters: parameters)
        var ids = [[Int64]](), scores = [[Float]]()
        for q in 0..<queries.rows {
            let pairs = zip(full.ids(ofQuery: q), full.scores(ofQuery: q)).filter { $0.0 >= 0 && passes($0.0) }.prefix(k)
            ids.append(pairs.map(\.0))
            scores.append(pairs.map(\.1))
        }
        return (ids, scores)
    }

    private func assertFiltered(_ index: any VectorIndex, _ queries: VectorMatrix, k: Int, selector: IDSelector,
                                parameters base: SearchParameters = SearchParameters(), tolerance: Float = 0,
                                file: StaticString = #filePath, line: UInt = #line) throws {
        var parameters = base
        parameters.selector = selector
        let result = try index.search(queries, k: k, parameters: parameters)
        let want = try expected(index, queries, k: k, parameters: base, passes: selector.contains)
        for q in 0..<queries.rows {
            let ids = Array(result.ids(ofQuery: q)), scores = Array(result.scores(ofQuery: q))
            for j in 0..<k {
                guard j < want.ids[q].count else {
                    XCTAssertEqual(ids[j], -1, "\(index.faissClassName) query \(q) rank \(j): padding expected", file: file, line: line)
                    continue
                }
                XCTAssertTrue(selector.contains(ids[j]), "\(index.faissClassName): id \(ids[j]) does not pass", file: file, line: line)
                XCTAssertLessThanOrEqual(abs(scores[j] - want.scores[q][j]), tolerance * max(1, abs(want.scores[q][j])),
                                         "\(index.faissClassName) query \(q) rank \(j)", file: file, line: line)
                if ids[j] != want.ids[q][j], let other = want.ids[q].firstIndex(of: ids[j]) {
                    XCTAssertLessThanOrEqual(abs(want.scores[q][other] - scores[j]), tolerance * max(1, abs(scores[j])),
                                             "\(index.faissClassName): id \(ids[j]) is no tie", file: file, line: line)
                } else {
                    XCTAssertEqual(ids[j], want.ids[q][j], "\(index.faissClassName) query \(q) rank \(j)", file: file, line: line)
                }
            }
        }
    }

    private var selectors: [IDSelector] {
        var bitmap = IDBitmap(count: 2000)
        for i in stride(from: 1, to: 2000, by: 7) { bitmap[i] = true }
        return [
            .range(100..<900),
            .batch([3, 17, 400, 401, 1999, 5000]),  // fewer than k pass: padded
            .bitmap(bitmap),
            IDSelector.range(0..<1000).inverted,
            IDSelector.range(0..<1500).intersection(.bitmap(bitmap)),
        ]
    }

    /// Flat on both paths (scan below 20 queries, BLAS from 20), both metrics.
    func testFlatSearchesReturnTheBestThatPass() throws {
        let data = randomMatrix(rows: 2000, dimension: 24, seed: 1)
        for metric in [Metric.innerProduct, .l2] {
            let index = FlatIndex(dimension: 24, metric: metric)
            try index.add(data, ids: nil)
            for queryCount in [3, 40] {
                let queries = randomMatrix(rows: queryCount, dimension: 24, seed: 2)
                for selector in selectors { try assertFiltered(index, queries, k: 10, selector: selector) }
            }
        }
    }

    /// Large enough for the scan and BLAS paths to split rows over every core and skip blocks
    /// that a sparse selector leaves empty.
    func testFlatSkipsEmptyBlocksAcrossThreads() throws {
        let data = randomMatrix(rows: 40_000, dimension: 16, seed: 5)
        let index = FlatIndex(dimension: 16, metric: .l2)
        try index.add(data, ids: nil)
        let sparse = IDSelector.batch([7, 12_345, 39_999]).union(.range(20_000..<20_070))
        for queryCount in [2, 25] {
            try assertFiltered(index, randomMatrix(rows: queryCount, dimension: 16, seed: 6), k: 20, selector: sparse)
        }
    }

    func testQuantizedAndIVFSearchesReturnTheBestThatPass() throws {
        let data = randomMatrix(rows: 2000, dimension: 16, seed: 8)
        let queries = randomMatrix(rows: 5, dimension: 16, seed: 9)
        for metric in [Metric.innerProduct, .l2] {
            for factory in ["SQ8", "PQ4x8", "IVF16,Flat", "IVF16,SQ8", "IVF16,PQ4x8"] {
                let index = try XCTUnwrap(IndexFactory.make(factory, dimension: 16, metric: metric) as? TrainableIndex)
                try index.train(data, progress: { _, _ in true })
                try index.add(data, ids: nil, progress: { _, _ in true })
                for selector in selectors {
                    try assertFiltered(index, queries, k: 10, selector: selector, parameters: SearchParameters(nprobe: 6))
                }
            }
        }
    }

    /// IVF lists hold the ids given at add; the selector is over those ids.
    func testIVFSelectorIsOverItsStoredIDs() throws {
        let data = randomMatrix(rows: 600, dimension: 8, seed: 11)
        let index = try XCTUnwrap(IndexFactory.make("IVF8,Flat", dimension: 8, metric: .l2) as? TrainableIndex)
        try index.train(data, progress: { _, _ in true })
        let ids = (0..<600).map { Int64($0) * 1_000_003 + 7 }
        try index.add(data, ids: ids, progress: { _, _ in true })
        let selector = IDSelector.batch(ids.enumerated().filter { $0.offset % 5 == 0 }.map(\.element))
        try assertFiltered(index, randomMatrix(rows: 4, dimension: 8, seed: 12), k: 7, selector: selector,
                           parameters: SearchParameters(nprobe: 8))
    }

    /// HNSW (FAISS semantics): refused nodes are walked through, not returned. With efSearch at
    /// least the node count the walk reaches every node, so the results are the exact best that pass.
    func testHNSWReturnsOnlyNodesThatPass() throws {
        let data = randomMatrix(rows: 1500, dimension: 12, seed: 13)
        let queries = randomMatrix(rows: 6, dimension: 12, seed: 14)
        for metric in [Metric.innerProduct, .l2] {
            let index = HNSWIndex(dimension: 12, metric: metric, m: 8)
            try index.add(data, ids: nil)
            let exact = FlatIndex(dimension: 12, metric: metric)
            try exact.add(data, ids: nil)
            for selector in selectors {
                var parameters = SearchParameters(efSearch: 2000, selector: selector)
                let result = try index.search(queries, k: 10, parameters: parameters)
                let want = try exact.search(queries, k: 10, parameters: parameters)
                XCTAssertEqual(result.ids, want.ids, "\(metric) \(selector)")
                for (a, b) in zip(result.scores, want.scores) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b))) }
                parameters.efSearch = 16
                let narrow = try index.search(queries, k: 10, parameters: parameters)
                XCTAssertTrue(narrow.ids.allSatisfy { $0 == -1 || selector.contains($0) })
            }
        }
    }

    /// An IDMap's selector is over its external ids, for a flat and an HNSW inner index.
    func testIDMapSelectorIsOverExternalIDs() throws {
        let data = randomMatrix(rows: 1200, dimension: 10, seed: 15)
        let queries = randomMatrix(rows: 4, dimension: 10, seed: 16)
        let ids = (0..<1200).map { Int64(($0 * 7919) % 1200) * 1_000_000_007 }  // a permutation, scaled
        let flat = FlatIndex(dimension: 10, metric: .innerProduct)
        try flat.add(data, ids: nil)
        let hnsw = HNSWIndex(dimension: 10, metric: .innerProduct, m: 8)
        try hnsw.add(data, ids: nil)
        let chosen = IDSelector.batch(ids.enumerated().filter { $0.offset % 3 == 1 }.map(\.element))
        let range = IDSelector.range(0..<400 * 1_000_000_007)
        for inner in [flat, hnsw] as [any VectorIndex] {
            let map = try IDMapIndex(kind: .idMap2, inner: inner, ids: ids)
            for selector in [chosen, range, range.inverted] {
                try assertFiltered(map, queries, k: 10, selector: selector, parameters: SearchParameters(efSearch: 1200),
                                   tolerance: inner is HNSWIndex ? 1e-4 : 0)
            }
        }
    }

    /// On OpenCL devices the mask is applied on the device before top-k: every layout returns
    /// what the CPU returns, across slabs and tiles.
    func testDeviceFlatMatchesTheCPUWithASelector() throws {
        let devices = DeviceRegistry.shared.accelerators
        _ = try XCTUnwrap(devices.first, "no OpenCL device: \(DeviceRegistry.shared.note ?? "")")
        let data = randomMatrix(rows: 3000, dimension: 32, seed: 17)
        let queries = randomMatrix(rows: 5, dimension: 32, seed: 18)
        var options = MoveOptions()
        options.maxSlabBytes = 3000 * 32 * 4 / 3 + 128
        options.tempBudgetBytes = 256 << 10
        options.chunkBytes = 100 << 10
        for metric in [Metric.innerProduct, .l2] {
            let cpu = FlatIndex(dimension: 32, metric: metric)
            try cpu.add(data, ids: nil)
            for layout in [Layout.single, .shard, .replicate] {
                let placed = try IndexMover.move(cpu, to: PlacementTarget(devices: layout == .single ? [devices[0]] : devices,
                                                                          layout: layout, precision: .fp32), options: options)
                for selector in selectors + [.range(2990..<3100)] {
                    let parameters = SearchParameters(selector: selector)
                    let got = try placed.search(queries, k: 10, parameters: parameters)
                    let want = try cpu.search(queries, k: 10, parameters: parameters)
                    assertMatchesReference(got, (want.ids.chunked(10), want.scores.map(Double.init).chunked(10)), tolerance: 1e-4)
                    XCTAssertEqual(got.ids.map { $0 < 0 }, want.ids.map { $0 < 0 }, "padding where fewer than k pass")
                }
            }
        }
    }
}
