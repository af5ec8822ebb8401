import XCTest
@testable import Core

final class TopKTests: XCTestCase {
    func testKeepsTheLargestKeysBestFirst() {
        let heaps = TopKHeaps(count: 1, k: 4)
        let keys: [Float] = [0.5, 3, -1, 7, 2, 7.5, 0, 3.5]
        for (i, key) in keys.enumerated() { heaps.push(0, key: key, id: Int64(i)) }
        let result = heaps.result(metric: .innerProduct)
        XCTAssertEqual(result.ids, [5, 3, 7, 1])
        XCTAssertEqual(result.scores, [7.5, 7, 3.5, 3])
    }

    func testL2KeysAreNegatedBack() {
        let heaps = TopKHeaps(count: 1, k: 2)
        for (i, distance) in [Float(4), 1, 9].enumerated() { heaps.push(0, key: -distance, id: Int64(i)) }
        let result = heaps.result(metric: .l2)
        XCTAssertEqual(result.ids, [1, 0])
        XCTAssertEqual(result.scores, [1, 4])
    }

    func testMergeCombinesPartialHeaps() {
        let a = TopKHeaps(count: 2, k: 2), b = TopKHeaps(count: 2, k: 2)
        a.push(0, key: 1, id: 1); a.push(0, key: 5, id: 2)
        b.push(0, key: 3, id: 3); b.push(1, key: 2, id: 4)
        a.merge(b)
        let result = a.result(metric: .innerProduct)
        XCTAssertEqual(result.ids, [2, 3, 4, -1])
    }
}
