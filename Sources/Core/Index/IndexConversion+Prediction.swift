import Foundation

extension IndexConversion {
    /// What a conversion will hold in host memory, predicted from the factory string and the
    /// source's shape alone (nothing is trained or read), component by component with the
    /// names `memoryUsage` reports after the build. The explorer's convert dialog shows it as the
    /// factory string is typed; `vectui convert --json` reports it beside the measured memory.
    public struct Prediction: Sendable, Equatable {
        /// FAISS class of the result (`IndexIVFPQ`, `IndexIDMap2`, …).
        public var className: String
        /// Components of the built index (codes, ids, centroids, codebooks, links, …).
        public var components: [MemoryComponent]
        /// Caches built on the first add or search (IVF's centroid copy, IVF-PQ's precomputed
        /// table), not in `components`.
        public var searchCaches: [MemoryComponent]
        /// The training sample the job reads into memory.
        public var trainSampleBytes: Int
        /// The rows read from the source per chunk while adding.
        public var chunkBytes: Int

        /// The built index, caches left out.
        public var indexBytes: Int { components.reduce(0) { $0 + $1.bytes } }
        /// The most the job holds at once besides the source: the index as it grows, plus the
        /// training sample or one chunk of rows, plus the search caches of the recall measurement.
        public var peakBytes: Int {
            indexBytes + max(trainSampleBytes, chunkBytes) + searchCaches.reduce(0) { $0 + $1.bytes }
        }
    }

    /// The memory `options.factory` will need for `count` vectors of `dimension`.
    /// - Parameter sourceIDMap: the kind of IDMap the source is, if it keeps 64-bit ids; the
    ///   result keeps them too (in its inverted lists, or in an IDMap of the same kind).
    /// - Throws: `IndexFactoryError` for a factory string that does not parse.
    public func predict(count n: Int, dimension d: Int, metric: Metric, sourceIDMap: IDMapIndex.Kind?) throws -> Prediction {
        var target = try IndexFactory.make(options.factory, dimension: d, metric: metric, vectorCount: n)
        var components: [MemoryComponent] = []
        var caches: [MemoryComponent] = []
        func add(_ name: String, _ bytes: Int) { components.append(MemoryComponent(name: name, bytes: bytes, fileBacked: false)) }
        let core = (target as? IDMapIndex)?.inner ?? target
        func describe(_ index: any VectorIndex, _ prefix: String) {
            func add(_ name: String, _ bytes: Int) { components.append(MemoryComponent(name: prefix + name, bytes: bytes, fileBacked: false)) }
            switch index {
            case let refine as RefineIndex:
                describe(refine.base, "base ")
                describe(refine.refine, "refine ")
            case let ivf as IVFIndex:
                add("centroids", ivf.nlist * d * 4)
                add("list codes", n * ivf.codeSize)
                add("list ids", n * 8)
                if ivf.byResidual {
                    // Residuals are taken against a float copy of the centroids, made on the first add.
                    caches.append(MemoryComponent(name: prefix + "centroid copy", bytes: ivf.nlist * d * 4, fileBacked: false))
                }
                switch ivf.encoding {
                case .flat: break
                case let .scalarQuantizer(sq): add("SQ ranges", sq.type.trainedCount(dimension: d) * 4)
                case let .productQuantizer(pq):
                    add("PQ codebooks", d * pq.ksub * 4)
                    let table = ivf.nlist * pq.m * pq.ksub * 4
                    if metric == .l2 && ivf.byResidual && ivf.usePrecomputedTable && table <= IVFIndex.precomputedTableMaxBytes {
                        caches.append(MemoryComponent(name: prefix + "PQ precomputed table", bytes: table, fileBacked: false))
                    }
                }
            case let pq as PQIndex:
                add("codes", n * pq.pq.codeSize)
                add("PQ codebooks", d * pq.pq.ksub * 4)
            case let sq as ScalarQuantizerIndex:
                add("codes", n * sq.quantizer.codeSize)
                add("SQ ranges", sq.quantizer.type.trainedCount(dimension: d) * 4)
            case let hnsw as HNSWIndex:
                add("vectors", n * d * 4)
                add("links", Int((Double(n) * hnsw.graph.expectedSlotsPerNode).rounded()) * 4)
                add("levels", n * 4 + (n + 1) * 8)
            default:
                add("vectors", n * d * 4)
            }
        }
        describe(core, "")
        // Ids: an IDMap in the factory string, or one the conversion adds to keep the source's ids.
        if target is IDMapIndex || (sourceIDMap != nil && !(core is IVFIndex)) {
            if let kind = sourceIDMap, !(target is IDMapIndex) { target = try IDMapIndex(kind: kind, inner: target, ids: []) }
            add("ids", n * 8)
        }
        let trainSize: Int
        if let trainable = core as? TrainableIndex, Self.needsTraining(trainable) {
            trainSize = min(n, options.trainSize ?? Self.defaultTrainSize(for: trainable, count: n))
        } else {
            trainSize = 0
        }
        let chunkRows = min(n, max(1, min(options.chunkRows, (256 << 20) / max(1, d * 4))))
        return Prediction(className: target.faissClassName, components: components, searchCaches: caches,
                          trainSampleBytes: trainSize * d * 4, chunkBytes: chunkRows * d * 4)
    }
}
