import CKernels
import Core
import Foundation

/// BERT's encoder over mapped safetensors weights: embeddings (word + position + token type)
/// and LayerNorm, then per layer masked multi-head self-attention and an exact-GELU
/// feed-forward block, each with a residual and LayerNorm. Matrix products run on BLAS.
///
/// A batch is packed, not padded: the sequences' tokens are stacked into one matrix for every
/// projection, and attention runs per sequence over its own tokens only — exactly what a
/// padded batch with an attention mask computes, without the work on padding.
public final class BertModel: Sendable {

    struct Layer {
        let query, key, value, attentionOutput: Linear
        let attentionNorm: Norm
        let intermediate, output: Linear
        let outputNorm: Norm
    }

    struct Linear {
        let weight: Tensor   // out × in, row-major (PyTorch's nn.Linear)
        let bias: Tensor     // out
        let outputs: Int
        let inputs: Int
    }

    struct Norm {
        let gamma: Tensor
        let beta: Tensor
    }

    public let config: BertConfig
    /// Whether every weight is the file's own mapped bytes (F32 checkpoints).
    public let weightsMapped: Bool
    let wordEmbeddings, positionEmbeddings, typeEmbeddings: Tensor
    let embeddingNorm: Norm
    let layers: [Layer]
    private let weights: SafeTensorsFile
    private let level = CPUFeatures.simd
    private let team = SpinningTeam.shared

    /// Maps `path` and checks every tensor the config implies (names with or without the
    /// `bert.` prefix; LayerNorm as weight/bias or gamma/beta).
    public init(weightsAt path: String, config: BertConfig) throws {
        self.config = config
        weights = try SafeTensorsFile(path: path)
        let prefix = weights.entries["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        let h = config.hidden, i = config.intermediate
        let file = weights
        func tensor(_ name: String, _ shape: [Int]) throws -> Tensor { try file.floats(prefix + name, shape: shape) }
        func norm(_ name: String) throws -> Norm {
            if file.entries[prefix + name + ".gamma"] != nil {
                return Norm(gamma: try tensor(name + ".gamma", [h]), beta: try tensor(name + ".beta", [h]))
            }
            return Norm(gamma: try tensor(name + ".weight", [h]), beta: try tensor(name + ".bias", [h]))
        }
        func linear(_ name: String, out: Int, in inputs: Int) throws -> Linear {
            Linear(weight: try tensor(name + ".weight", [out, inputs]), bias: try tensor(name + ".bias", [out]), outputs: out, inputs: inputs)
        }
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [config.vocabularySize, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [config.maxPositions, h])
        typeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [config.typeVocabularySize, h])
        embeddingNorm = try norm("embeddings.LayerNorm")
        layers = try (0..<config.layers).map { l in
            let p = "encoder.layer.\(l)."
            return Layer(query: try linear(p + "attention.self.query", out: h, in: h),
                         key: try linear(p + "attention.self.key", out: h, in: h),
                         value: try linear(p + "attention.self.value", out: h, in: h),
                         attentionOutput: try linear(p + "attention.output.dense", out: h, in: h),
                         attentionNorm: try norm(p + "attention.output.LayerNorm"),
                         intermediate: try linear(p + "intermediate.dense", out: i, in: h),
                         output: try linear(p + "output.dense", out: h, in: i),
                         outputNorm: try norm(p + "output.LayerNorm"))
        }
        weightsMapped = wordEmbeddings.mapped && layers.allSatisfy { $0.query.weight.mapped && $0.intermediate.weight.mapped }
    }

    /// Token vectors of the last layer for each sequence (ids already checked against the
    /// vocabulary): one matrix of Σ lengths × hidden floats, sequences one after another.
    func forward(_ sequences: [[Int32]]) -> [Float] {
        let h = config.hidden
        let lengths = sequences.map(\.count)
        let total = lengths.reduce(0, +)
        var offsets = [Int](repeating: 0, count: sequences.count)
        for s in 1..<max(1, sequences.count) { offsets[s] = offsets[s - 1] + lengths[s - 1] }

        var x = [Float](repeating: 0, count: total * h)
        x.withUnsafeMutableBufferPointer { x in
            for (s, ids) in sequences.enumerated() {
                for (p, id) in ids.enumerated() {
                    let row = x.baseAddress! + (offsets[s] + p) * h
                    let word = wordEmbeddings.pointer + Int(id) * h, position = positionEmbeddings.pointer + p * h
                    for c in 0..<h { row[c] = word[c] + position[c] + typeEmbeddings[c] }
                }
            }
            layerNorm(x.baseAddress!, rows: total, embeddingNorm)
        }
        var q = [Float](repeating: 0, count: total * h), k = q, v = q, context = q, attended = q
        var inner = [Float](repeating: 0, count: total * config.intermediate)
        for layer in layers {
            linear(x, rows: total, layer.query, into: &q)
            linear(x, rows: total, layer.key, into: &k)
            linear(x, rows: total, layer.value, into: &v)
            attention(q: q, k: k, v: v, offsets: offsets, lengths: lengths, into: &context)
            attended = x
            linear(context, rows: total, layer.attentionOutput, into: &attended, accumulate: true)
            attended.withUnsafeMutableBufferPointer { layerNorm($0.baseAddress!, rows: total, layer.attentionNorm) }
            linear(attended, rows: total, layer.intermediate, into: &inner)
            gelu(&inner)
            x = attended
            linear(inner, rows: total, layer.output, into: &x, accumulate: true)
            x.withUnsafeMutableBufferPointer { layerNorm($0.baseAddress!, rows: total, layer.outputNorm) }
        }
        return x
    }

    /// Up to this many token rows, projections stream the weights through our own kernel
    /// rather than BLAS (which packs the whole weight matrix on every call).
    static let streamingRowLimit = Int(ProcessInfo.processInfo.environment["VECTUI_ENCODER_STREAM_ROWS"] ?? "") ?? 48

    // MARK: - Steps

    /// out = input · Wᵀ + b (or out += input · Wᵀ + b, for a residual already in `out`), split
    /// over the cores along the larger side: output columns (each core reads only its share of
    /// W) or, for many tokens, rows (each core packs only its share of the input).
    private func linear(_ input: [Float], rows: Int, _ layer: Linear, into out: inout [Float], accumulate: Bool = false) {
        let n = layer.outputs, kIn = layer.inputs
        out.withUnsafeMutableBufferPointer { out in
            let c = out.baseAddress!
            for r in 0..<rows {
                let row = c + r * n
                if accumulate {
                    for j in 0..<n { row[j] += layer.bias[j] }
                } else {
                    (row).update(from: layer.bias.pointer, count: n)
                }
            }
            input.withUnsafeBufferPointer { a in
                let parts = rows * n * kIn < 1 << 18 ? 1 : team.size
                let streamWeights = level == .avx512 && rows <= Self.streamingRowLimit
                if !streamWeights && rows > n {
                    // Many tokens: split the rows, so each core packs only its share of them.
                    team.forEachSlice(of: rows, parts: parts) { _, slice in
                        BLAS.sgemm(transposeB: true, m: slice.count, n: n, k: kIn, a.baseAddress! + slice.lowerBound * kIn, lda: kIn,
                                   layer.weight.pointer, ldb: kIn, beta: 1, c + slice.lowerBound * n, ldc: n)
                    }
                    return
                }
                team.forEachSlice(of: n, parts: parts) { _, columns in
                    if streamWeights {
                        vectui_gemm_nt_avx512(a.baseAddress!, rows, kIn, layer.weight.pointer + columns.lowerBound * kIn,
                                              columns.count, kIn, kIn, c + columns.lowerBound, n)
                        return
                    }
                    BLAS.sgemm(transposeB: true, m: rows, n: columns.count, k: kIn, a.baseAddress!, lda: kIn,
                               layer.weight.pointer + columns.lowerBound * kIn, ldb: kIn, beta: 1,
                               c + columns.lowerBound, ldc: n)
                }
            }
        }
    }

    /// Scaled dot-product attention per (sequence, head), each over its own tokens.
    private func attention(q: [Float], k: [Float], v: [Float], offsets: [Int], lengths: [Int], into context: inout [Float]) {
        let h = config.hidden, heads = config.heads, width = h / heads
        let scale = 1 / Float(width).squareRoot()
        let tasks = lengths.count * heads
        let longest = lengths.max() ?? 0
        let level = self.level
        let work = lengths.reduce(0) { $0 + $1 * $1 } * h
        q.withUnsafeBufferPointer { q in k.withUnsafeBufferPointer { k in v.withUnsafeBufferPointer { v in
            context.withUnsafeMutableBufferPointer { context in
                let (qp, kp, vp, cp) = (q.baseAddress!, k.baseAddress!, v.baseAddress!, context.baseAddress!)
                team.forEachSlice(of: tasks, parts: work < 1 << 16 ? 1 : team.size) { _, range in
                    let scores = UnsafeMutablePointer<Float>.allocate(capacity: max(1, longest * longest))
                    defer { scores.deallocate() }
                    for task in range {
                        let s = task / heads, head = task % heads
                        let length = lengths[s], start = offsets[s] * h + head * width
                        if level == .avx512 {
                            // Small products: BLAS's per-call set-up would cost more than the arithmetic.
                            scores.update(repeating: 0, count: length * length)
                            vectui_gemm_nt_avx512(qp + start, length, h, kp + start, length, h, width, scores, length)
                            for r in 0..<length * length { scores[r] *= scale }
                        } else {
                            BLAS.sgemm(transposeB: true, m: length, n: length, k: width, alpha: scale, qp + start, lda: h,
                                       kp + start, ldb: h, scores, ldc: length)
                        }
                        for r in 0..<length { softmax(scores + r * length, count: length, level: level) }
                        if level == .avx512 {
                            vectui_gemm_nn_avx512(scores, length, length, vp + start, h, length, width, cp + start, h)
                        } else {
                            BLAS.sgemm(m: length, n: width, k: length, scores, lda: length, vp + start, ldb: h, cp + start, ldc: h)
                        }
                    }
                }
            }
        } } }
    }

    private func layerNorm(_ x: UnsafeMutablePointer<Float>, rows: Int, _ norm: Norm) {
        let h = config.hidden, eps = config.layerNormEpsilon, level = self.level
        team.forEachSlice(of: rows, parts: rows * h < 1 << 15 ? 1 : team.size) { _, range in
            for r in range {
                if level >= .avx2 {
                    vectui_layernorm_avx2(x + r * h, h, norm.gamma.pointer, norm.beta.pointer, eps)
                } else {
                    vectui_layernorm_portable(x + r * h, h, norm.gamma.pointer, norm.beta.pointer, eps)
                }
            }
        }
    }

    private func gelu(_ x: inout [Float]) {
        let level = self.level
        x.withUnsafeMutableBufferPointer { x in
            let base = x.baseAddress!
            team.forEachSlice(of: x.count, parts: x.count < 1 << 15 ? 1 : team.size) { _, range in
                if level >= .avx2 {
                    vectui_gelu_avx2(base + range.lowerBound, range.count)
                } else {
                    vectui_gelu_portable(base + range.lowerBound, range.count)
                }
            }
        }
    }
}

private func softmax(_ row: UnsafeMutablePointer<Float>, count: Int, level: SIMDLevel) {
    if level >= .avx2 { vectui_softmax_avx2(row, count) } else { vectui_softmax_portable(row, count) }
}
