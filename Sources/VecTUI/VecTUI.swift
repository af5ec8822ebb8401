import ArgumentParser
import Core

/// `vectui`: explore, search, build and benchmark FAISS indexes.
@main
struct VecTUICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectui",
        abstract: "A terminal explorer for FAISS vector indexes.",
        subcommands: [OpenCommand.self, InfoCommand.self, SearchCommand.self, BuildCommand.self, SaveCommand.self, ConvertCommand.self, BenchCommand.self, DevicesCommand.self, PlanCommand.self, DemoCommand.self, EmbedCommand.self, TokenizeCommand.self, FilterCommand.self]
    )

    /// Installs the fatal-signal handler (one line and the terminal back on any crash), then
    /// parses and runs the command.
    static func main() {
        FatalSignals.install()
        main(nil)
    }
}
