import Foundation

/// The built-in demo: a product catalog (JSONL) and its `IDMap,Flat` inner-product index
/// with SKU-like ids, generated deterministically so that products of the same category and
/// brand really are each other's neighbours. Generated once into the user's cache folder.
///
/// The vectors are either synthetic (256-d sums of attribute "concept" vectors, no model
/// needed) or a text model's embeddings of each title (`Embedding.encoded`, given by the
/// caller: Core knows no model), so that asking by meaning finds what the words say.
public struct DemoDataset: Sendable {
    /// Bump when the generated data changes, so caches are rebuilt.
    public static let version = 1
    public static let defaultProductCount = 100_000
    public static let dimension = 256

    /// How the products' vectors are made.
    public enum Embedding: Sendable {
        /// Synthetic 256-d vectors from the product's attributes.
        case synthetic
        /// `embed(titles)` gives `titles.count × dimension` floats, row-major, unit length (the
        /// index ranks by inner product); `model` names the model in the manifest, so a cache
        /// made with another model is rebuilt. It is called with batches of `encodedBatch` titles.
        case encoded(model: String, dimension: Int, embed: @Sendable ([String]) throws -> [Float])

        /// What the manifest records.
        var manifestName: String {
            switch self {
            case .synthetic: return "synthetic"
            case let .encoded(model, dimension, _): return "\(model) (\(dimension)-d)"
            }
        }

        var dimension: Int {
            switch self {
            case .synthetic: return DemoDataset.dimension
            case let .encoded(_, dimension, _): return dimension
            }
        }
    }

    /// Titles per `embed` call of an encoded demo (progress is reported after each).
    public static let encodedBatch = 256

    public let folder: String
    public var indexPath: String { folder + "/products.index" }
    public var catalogPath: String { folder + "/products.jsonl" }
    private var manifestPath: String { folder + "/demo.json" }

    /// The demo in `folder`, or in `$XDG_CACHE_HOME/vectui/<name>` (`~/.cache/vectui/demo`).
    /// - Parameter name: the cache folder's name when `folder` is nil: `demo` for the synthetic
    ///   demo, another name per model for an encoded one, so the two never share files.
    public init(folder: String? = nil, name: String = "demo") {
        if let folder {
            self.folder = folder
        } else {
            let environment = ProcessInfo.processInfo.environment
            let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
                ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache"
            self.folder = cache + "/vectui/" + name
        }
    }

    /// Whether a complete demo of this version, size and embedding is already there.
    public func isReady(productCount: Int = defaultProductCount, embedding: Embedding = .synthetic) -> Bool {
        guard let data = FileManager.default.contents(atPath: manifestPath),
              let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        // Manifests from before encoded demos name no embedding: those are synthetic.
        let made = manifest["embedding"] as? String ?? Embedding.synthetic.manifestName
        return manifest["version"] as? Int == Self.version && manifest["products"] as? Int == productCount
            && made == embedding.manifestName
            && FileManager.default.fileExists(atPath: indexPath) && FileManager.default.fileExists(atPath: catalogPath)
    }

    /// Writes the catalog, then the index, then the manifest that marks them complete.
    /// - Parameters:
    ///   - embedding: synthetic vectors, or a model's embeddings of the titles.
    ///   - progress: called with (products done, total); returning false cancels. An encoded
    ///     demo reports the titles embedded (the catalog itself takes a moment).
    /// - Throws: `FileSystemError`, the embedder's errors, or `CancellationError` when cancelled.
    public func generate(productCount: Int = defaultProductCount, embedding: Embedding = .synthetic,
                         progress: (Int, Int) -> Bool = { _, _ in true }) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FileSystemError(path: folder, operation: "create the folder", message: error.localizedDescription)
        }
        var generator = DemoGenerator(seed: 20_261_123)
        let catalog = try AtomicFileWriter(path: catalogPath)
        let d = embedding.dimension
        let index = try IDMapIndex(kind: .idMap2, inner: FlatIndex(dimension: d, metric: .innerProduct), ids: [])
        let chunk: Int
        switch embedding {
        case .synthetic: chunk = 4096
        case .encoded: chunk = Self.encodedBatch
        }
        var done = 0
        while done < productCount {
            let n = min(chunk, productCount - done)
            var vectors = [Float]()
            vectors.reserveCapacity(n * d)
            var ids = [Int64]()
            var titles = [String]()
            for _ in 0..<n {
                let product = generator.nextProduct()
                try catalog.write(product.json.text + "\n")
                switch embedding {
                case .synthetic: vectors += product.embedding
                case .encoded: titles.append(product.title)
                }
                ids.append(product.id)
            }
            if case let .encoded(model, _, embed) = embedding {
                vectors = try embed(titles)
                guard vectors.count == n * d else {
                    throw DemoEmbeddingError(description: "\(model) gave \(vectors.count) floats for \(n) titles; expected \(n * d)")
                }
            }
            try index.add(VectorMatrix(rows: n, dimension: d, values: vectors), ids: ids)
            done += n
            guard progress(done, productCount) else { throw CancellationError() }
        }
        try catalog.commit()
        try FaissIndexFile.write(index, to: indexPath)
        let manifest = JSONValue.object([("version", .int(Int64(Self.version))), ("products", .int(Int64(productCount))),
                                         ("embedding", .string(embedding.manifestName))])
        let writer = try AtomicFileWriter(path: manifestPath)
        try writer.write(manifest.text)
        try writer.commit()
    }
}

/// An encoded demo's embedder returned the wrong number of floats.
public struct DemoEmbeddingError: Error, CustomStringConvertible {
    public let description: String
}

/// One generated product: catalog fields plus its embedding.
struct DemoProduct {
    let id: Int64
    let title: String
    let json: JSONValue
    let embedding: [Float]
}

/// Deterministic product generator: each attribute value has a random unit "concept"
/// vector; a product's embedding is a weighted sum (category ≫ brand > noun > colour,
/// material > size) plus noise, normalised so inner product is cosine similarity.
struct DemoGenerator {
    private var random: SplitMix64
    private let d = DemoDataset.dimension
    private var concepts: [String: [Float]] = [:]
    private var serial: Int64 = 0

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func nextProduct() -> DemoProduct {
        let categoryIndex = Int(random.next() % UInt64(DemoVocabulary.categories.count))
        let category = DemoVocabulary.categories[categoryIndex]
        let brand = category.brands[Int(random.next() % UInt64(category.brands.count))]
        let noun = category.nouns[Int(random.next() % UInt64(category.nouns.count))]
        let colour = DemoVocabulary.colours[Int(random.next() % UInt64(DemoVocabulary.colours.count))]
        let material = DemoVocabulary.materials[Int(random.next() % UInt64(DemoVocabulary.materials.count))]
        let size = category.sizes[Int(random.next() % UInt64(category.sizes.count))]
        let edition = DemoVocabulary.editions[Int(random.next() % UInt64(DemoVocabulary.editions.count))]
        let chinese = random.next() % 10 == 0
        serial += 1
        // EAN-13-like: a prefix per category, then a serial; unique and far beyond 2^32.
        let id = 4_006_000_000_000 + Int64(categoryIndex) * 10_000_000 + serial

        let model = edition.isEmpty ? "" : " \(edition)"
        let title = chinese
            ? "\(brand) \(colour.1)\(material.1)\(noun.1)\(model) \(size)"
            : "\(brand) \(noun.0)\(model) – \(material.0), \(colour.0), \(size)"
        let low = category.priceRange.lowerBound, high = category.priceRange.upperBound
        let price = (low + (high - low) * random.unit() * random.unit()).rounded(toPlaces: 0) - 0.01
        let rating = (3.0 + 2.0 * random.unit()).rounded(toPlaces: 1)

        var embedding = [Float](repeating: 0, count: d)
        let parts: [(String, Float)] = [
            ("category:" + category.name, 1.0), ("brand:" + category.name + brand, 0.75), ("noun:" + noun.0, 0.45),
            ("colour:" + colour.0, 0.3), ("material:" + material.0, 0.3), ("size:" + size, 0.12),
        ]
        for (key, weight) in parts {
            let concept = self.concept(key)
            for j in 0..<d { embedding[j] += weight * concept[j] }
        }
        var norm: Float = 0
        for j in 0..<d {
            embedding[j] += 0.35 * random.gaussian() / Float(d).squareRoot()
            norm += embedding[j] * embedding[j]
        }
        let scale = 1 / norm.squareRoot()
        for j in 0..<d { embedding[j] *= scale }

        let json = JSONValue.object([
            ("id", .int(id)), ("title", .string(title)), ("category", .string(chinese ? category.chinese : category.name)),
            ("brand", .string(brand)), ("colour", .string(chinese ? colour.1 : colour.0)),
            ("material", .string(chinese ? material.1 : material.0)), ("size", .string(size)),
            ("price", .double(price)), ("rating", .double(rating)),
        ])
        return DemoProduct(id: id, title: title, json: json, embedding: embedding)
    }

    /// The unit vector standing for one attribute value, made on first use.
    private mutating func concept(_ key: String) -> [Float] {
        if let known = concepts[key] { return known }
        var vector = (0..<d).map { _ in random.gaussian() }
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        vector = vector.map { $0 / norm }
        concepts[key] = vector
        return vector
    }
}

private extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let factor = pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}
