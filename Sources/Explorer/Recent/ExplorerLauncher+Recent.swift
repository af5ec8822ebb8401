import ArgumentParser
import Core
import Encoder
import TUI

extension ExplorerLauncher {
    /// `vectui open` without an index: the recent indexes to pick from, then the explorer on
    /// the chosen one with its catalog and text model (what `given` sets wins; its index path
    /// is ignored).
    /// - Throws: `UsageError` when there are no recent indexes (or no settings file), then
    ///   what `run` throws.
    public static func runRecent(_ given: ExplorerOptions) throws {
        let file = given.settings ?? SettingsFile()
        let loaded = file.load()
        for warning in loaded.warnings { printToStderr("vectui: warning: \(warning)") }
        guard !loaded.settings.recent.isEmpty else {
            throw UsageError(description: "no index given, and no recent indexes in \(file.path) yet: "
                             + "open one with vectui open INDEX [--meta CATALOG] [--model NAME]")
        }
        let backend = try NcursesBackend()
        backend.theme = (try? Theme.select(requested: given.theme ?? loaded.settings.theme, colorCount: backend.colorCount,
                                           searchPaths: Theme.defaultSearchPaths())) ?? .monochrome
        let chosen = RecentPicker.run(loaded.settings.recent, backend: backend)
        let signal = backend.terminationSignal
        backend.shutdown()
        if let signal { throw ExitCode(128 + signal) }
        guard let chosen else { return }
        try run(given.reopening(chosen, memory: EmbedderMemory()))
    }
}

extension ExplorerOptions {
    /// These options on the recent index `entry`: its index, and its catalog, fields and text
    /// model where these options give none. The model is the one remembered for the index
    /// (`EmbedderMemory`, with its query prefix) when there is one, else the entry's, which is
    /// then not written to the memory.
    func reopening(_ entry: RecentIndex, memory: EmbedderMemory) -> ExplorerOptions {
        var options = self
        options.indexPath = entry.index
        if catalogPath == nil {
            options.catalogPath = entry.catalog
            options.idField = idField ?? entry.idField
            options.titleField = titleField ?? entry.titleField
        }
        if embedder == nil, (try? memory.choice(for: entry.index)) ?? nil == nil {
            if let url = entry.embedURL {
                options.embedder = EmbedderChoice(url: url, serverModel: entry.embedModel)
            } else if let model = entry.model {
                options.embedder = EmbedderChoice(model: model)
            }
            options.remembersEmbedder = false
        }
        return options
    }
}
