import ArgumentParser
import Core

/// `vectui info INDEX`: what an index file holds, without reading its vectors.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Describe an index file: type, dimension, count, metric, bytes.")

    @Argument(help: "A FAISS index file.") var index: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        try reportingErrors("reading \(index)") {
            let opened = try OpenedIndex(path: index)
            let idx = opened.index
            let memory = idx.memoryUsage
            let resident = opened.flat.flatMap { flat -> Int? in
                guard let file = flat.storage.mappedFile, let range = flat.storage.mappedByteRange else { return nil }
                return file.residentBytes(in: range)
            }
            let process = HostInfo.current()
            if json {
                var fields: [(String, JSONValue)] = [
                    ("path", .string(opened.path)),
                    ("type", .string(idx.faissClassName)),
                    ("fourcc", .string(opened.fileFourCC)),
                ]
                if let wrapper = idx as? IDMapIndex {
                    fields.append(("inner", .object([("type", .string(wrapper.inner.faissClassName)),
                                                     ("fourcc", .string(FaissIndexFile.fourCC(of: wrapper.inner)))])))
                }
                fields += [
                    ("d", .int(Int64(idx.dimension))),
                    ("ntotal", .int(Int64(idx.count))),
                    ("metric", .string(idx.metric.description)),
                    ("is_trained", .bool(idx.isTrained)),
                    ("file_bytes", .int(Int64(opened.fileBytes))),
                    ("memory", .array(memory.map { part in
                        .object([("component", .string(part.name)), ("bytes", .int(Int64(part.bytes))),
                                 ("memory_mapped", .bool(part.fileBacked))])
                    })),
                ]
                if let resident { fields.append(("vectors_resident_bytes", .int(Int64(resident)))) }
                if let described = ((idx as? IDMapIndex)?.inner ?? idx) as? IndexDetails {
                    fields.append(("structure", .object(described.details.map { ($0.name, $0.value) })))
                }
                do {
                    fields.append(("process_resident", .object([("anonymous_bytes", .int(Int64(process.residentAnonymousBytes))),
                                                                ("file_backed_bytes", .int(Int64(process.residentFileBytes)))])))
                }
                print(JSONValue.object(fields).text)
                return
            }
            var type = "\(idx.faissClassName) (fourcc \(opened.fileFourCC))"
            if let wrapper = idx as? IDMapIndex { type += " over \(wrapper.inner.faissClassName)" }
            print(opened.path)
            print("  type        \(type)")
            print("  dimension   \(idx.dimension)")
            print("  vectors     \(idx.count)")
            print("  metric      \(idx.metric)")
            print("  trained     \(idx.isTrained ? "yes" : "no")")
            print("  on disk     \(ByteSize.format(opened.fileBytes)) (\(opened.fileBytes) bytes)")
            if let described = ((idx as? IDMapIndex)?.inner ?? idx) as? IndexDetails {
                for (name, value) in described.details {
                    let label = name.replacingOccurrences(of: "_", with: " ")
                    var text = value.text
                    if case let .string(raw) = value { text = raw }
                    print("  \(label)\(String(repeating: " ", count: max(1, 12 - label.count)))\(text)")
                }
            }
            for part in memory {
                var line = "  \(part.name)\(String(repeating: " ", count: max(1, 12 - part.name.count)))\(ByteSize.format(part.bytes))"
                if part.fileBacked {
                    line += " memory-mapped"
                    if part.name == "vectors", let resident { line += ", \(ByteSize.format(resident)) of it in RAM now" }
                } else {
                    line += " in RAM"
                }
                print(line)
            }
        }
    }
}
