import Core
import Foundation
import TUI

// The `:` command line: `:k 20`, `:move gpu0`, `:move cl0,cl1 shard fp16`, `:move cpu`,
// `:save [PATH]`, `:export FILE` (`:export!` overwrites), `:ask TEXT`, `:model NAME`, `:convert [FACTORY]`, `:nprobe N`, `:ef N`, `:theme light`, `:help`, `:q` (`:q!` quits
// without asking).

extension ExplorerUpdate {
    /// The commands, as help and errors list them.
    static let commandSummary = "k N, ask TEXT, model NAME, move DEVICES [shard|replicate] [fp16|fp32], save [PATH], export FILE, convert [FACTORY], reload, nprobe N, ef N, columns FIELDS, sort [-]FIELD, theme NAME, help, q"

    /// Keys while the command line is open: Enter runs it, Esc (or Backspace on nothing) closes it.
    static func handleCommandLineKey(_ model: inout ExplorerModel, _ key: Key) -> [ExplorerEffect] {
        guard var line = model.commandLine else { return [] }
        switch key {
        case .enter:
            model.commandLine = nil
            return runCommand(&model, line.text)
        case .escape, .ctrl("c"):
            model.commandLine = nil
        case .backspace where line.text.isEmpty:
            model.commandLine = nil
        default:
            _ = line.handle(key)
            model.commandLine = line
        }
        return []
    }

    /// Runs one command line (without the `:`).
    static func runCommand(_ model: inout ExplorerModel, _ text: String) -> [ExplorerEffect] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let name = words.first?.lowercased() else { return [] }
        let arguments = Array(words.dropFirst())
        switch name {
        case "k":
            guard arguments.count == 1, let k = Int(arguments[0]) else {
                model.message = .error("usage: :k N (1…\(maximumK))")
                return []
            }
            return setK(&model, k)
        case "move", "place":
            guard let spec = arguments.first else {
                openPicker(&model, request: defaultPlacement(model))
                return []
            }
            switch parsePlacement(spec: spec, options: Array(arguments.dropFirst()), devices: model.devices) {
            case let .success(request): openPicker(&model, request: request)
            case let .failure(error): model.message = .error(error.description)
            }
            return []
        case "save", "w":
            // The rest of the line is the path, spaces and all.
            let path = text.drop { $0 == " " || $0 == "\t" }.drop { $0 != " " && $0 != "\t" }
                .trimmingCharacters(in: .whitespaces)
            openSavePrompt(&model, path: path.isEmpty ? model.index.path : path)
            guard !path.isEmpty, case .save(var prompt) = model.overlay else { return [] }
            prompt.isChecking = true
            model.overlay = .save(prompt)
            return [.checkSavePath(path)]
        case "ask":
            // The rest of the line is the text, spaces and all.
            let question = text.drop { $0 == " " || $0 == "\t" }.drop { $0 != " " && $0 != "\t" }
                .trimmingCharacters(in: .whitespaces)
            if question.isEmpty {
                openAsk(&model)
                return []
            }
            return requestAsk(&model, text: question)
        case "model":
            let name = text.drop { $0 == " " || $0 == "\t" }.drop { $0 != " " && $0 != "\t" }
                .trimmingCharacters(in: .whitespaces)
            return chooseModel(&model, name)
        case "convert":
            openConvertPrompt(&model, factory: arguments.isEmpty ? nil : arguments.joined())
            return []
        case "reload", "e!":
            return startReload(&model)
        case "nprobe":
            return setNprobe(&model, arguments.count == 1 ? arguments[0] : nil)
        case "ef", "efsearch":
            return setEfSearch(&model, arguments.count == 1 ? arguments[0] : nil)
        case "export", "export!":
            // The rest of the line is the path, spaces and all.
            let path = text.drop { $0 == " " || $0 == "\t" }.drop { $0 != " " && $0 != "\t" }
                .trimmingCharacters(in: .whitespaces)
            return export(&model, path: path, overwrite: name == "export!")
        case "theme":
            guard arguments.count == 1 else {
                model.message = .error("usage: :theme NAME (dark, light, monochrome, or a theme file)")
                return []
            }
            return [.setTheme(arguments[0])]
        case "columns", "cols":
            return chooseColumns(&model, arguments)
        case "sort":
            return chooseSort(&model, arguments)
        case "help", "h", "?":
            model.overlay = .help
            model.helpScroll = 0
            return []
        case "q", "quit", "exit":
            return requestQuit(&model)
        case "q!", "quit!":
            return quitNow(&model)
        default:
            model.message = .error("unknown command '\(name)'; commands: \(commandSummary)")
            return []
        }
    }

    /// A mistake in a `:move` command.
    struct PlacementError: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    /// Parses `:move` arguments: devices by name or alias (`cpu`, `cl0`, `gpu0`, `cl0,cl1`,
    /// `all`), then any of `shard`, `replicate`, `fp16`, `fp32`.
    static func parsePlacement(spec: String, options: [String],
                               devices: [DeviceStatus]) -> Result<PlacementRequest, PlacementError> {
        let known = devices.map(\.device)
        let names = known.map { ([$0.name] + $0.aliases).joined(separator: "/") }.joined(separator: ", ")
        var chosen: [String] = []
        if spec.lowercased() == "all" {
            chosen = known.filter { !$0.isHost }.map(\.name)
            if chosen.isEmpty { return .failure(PlacementError(description: "no OpenCL devices here; devices: \(names)")) }
        } else {
            for part in spec.split(separator: ",").map(String.init) where !part.isEmpty {
                guard let device = known.first(where: { $0.answers(to: part) }) else {
                    return .failure(PlacementError(description: "no device named '\(part)'; devices: \(names)"))
                }
                guard !chosen.contains(device.name) else {
                    return .failure(PlacementError(description: "device \(device.name) is named twice"))
                }
                chosen.append(device.name)
            }
        }
        if chosen.count > 1 && chosen.contains(MemoryLedger.hostDevice) {
            return .failure(PlacementError(description: "cpu cannot be combined with OpenCL devices in one placement"))
        }
        var layout: Layout = .shard
        var precision: DevicePrecision = .fp32
        for option in options {
            switch option.lowercased() {
            case "shard", "sharded": layout = .shard
            case "replicate", "replicated": layout = .replicate
            case "fp16": precision = .fp16
            case "fp32": precision = .fp32
            default:
                let message = "unknown move option '\(option)'; use shard, replicate, fp16 or fp32"
                return .failure(PlacementError(description: message))
            }
        }
        if chosen == [MemoryLedger.hostDevice] && precision == .fp16 {
            return .failure(PlacementError(description: "fp16 is for OpenCL devices; the CPU keeps fp32"))
        }
        return .success(PlacementRequest(devices: chosen, layout: chosen.count > 1 ? layout : .single, precision: precision))
    }
}
