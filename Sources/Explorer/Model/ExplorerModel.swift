import Core
import TUI

/// The panes of the main screen, in focus order (Tab) and by number key (1…5).
enum Pane: Int, CaseIterable, Sendable {
    case index, devices, products, similar, jobs

    /// The pane's name in its box title and in help.
    var name: String {
        switch self {
        case .index: return "Index"
        case .devices: return "Devices"
        case .products: return "Products"
        case .similar: return "Similar"
        case .jobs: return "Jobs"
        }
    }

    /// The number key that focuses the pane.
    var number: Int { rawValue + 1 }
}

/// A dialog drawn over the panes; it takes every key while open.
enum Overlay: Equatable, Sendable {
    /// All keys and commands.
    case help
    /// Choosing where to move the index, with the predicted memory per device.
    case picker(PlacementPicker)
    /// Choosing the file to save to.
    case save(SavePrompt)
    /// Converting the index: the factory string, the file, and the predicted memory.
    case convert(ConvertPrompt)
    /// What a finished conversion measured; Enter explores the new index.
    case converted(ConversionSummary)
    /// "Quit anyway?", with the reason to ask.
    case confirmQuit(reason: String)
    /// One item's whole record and where its vector lives.
    case details(ItemDetails)
}

/// The one-line message under the panes: what just happened, or what went wrong.
struct StatusMessage: Equatable, Sendable {
    /// How the message is shown.
    enum Severity: Equatable, Sendable {
        case info, success, warning, error

        /// The theme role of the text.
        var role: String {
            switch self {
            case .info: return Role.text
            case .success: return Role.success
            case .warning: return Role.warning
            case .error: return Role.error
            }
        }
    }

    var text: String
    var severity: Severity

    static func info(_ text: String) -> StatusMessage { StatusMessage(text: text, severity: .info) }
    static func success(_ text: String) -> StatusMessage { StatusMessage(text: text, severity: .success) }
    static func warning(_ text: String) -> StatusMessage { StatusMessage(text: text, severity: .warning) }
    static func error(_ text: String) -> StatusMessage { StatusMessage(text: text, severity: .error) }
}

/// Everything the explorer shows, as a value: `ExplorerUpdate.update` changes it in answer to
/// messages, `ExplorerView.render` draws it. The index itself and the jobs live in the
/// runtime's `ExplorerSession`; the model holds what they reported.
struct ExplorerModel {
    /// The terminal size the screen is laid out for.
    var size: Size
    /// Unicode or ASCII glyphs, as the terminal allows.
    var charset: Charset
    /// The name of the theme in use.
    var themeName: String
    /// Seconds on the runtime's monotonic clock, from the latest tick.
    var now: Double = 0

    /// The pane with the keyboard focus.
    var focus: Pane = .products
    /// The open dialog, if any.
    var overlay: Overlay?
    /// The `:` command line while it is being typed.
    var commandLine: TextInputState?
    /// The message line.
    var message: StatusMessage?

    /// The products (or bare ids) the index's vectors belong to (replaced by `:reload`).
    var catalog: ProductList
    /// The first line help shows (it scrolls when the terminal is shorter than the key list).
    var helpScroll = 0
    /// The catalog fields shown as columns (`:columns`); nil: the catalog's key fields.
    var columns: [String]?
    /// Explored files that another process changed since they were opened.
    var changedFiles: [FileChangeNotice] = []
    /// The index as last reported: file, type, shape, placement.
    var index: IndexSummary
    /// Memory per device, from the latest sample.
    var devices: [DeviceStatus]
    /// The selected device row.
    var devicesTable = TableState()
    /// The Products pane: filter and matches.
    var products: ProductsState
    /// The Similar pane: the query product and its neighbours.
    var similar: SimilarState
    /// Asking by meaning: the text model and the ask box.
    var ask = AskState()
    /// Moves, saves and conversions, newest last.
    var jobs: [JobState] = []
    /// The selected job row.
    var jobsTable = TableState()
    /// The prediction shown when the latest move was confirmed, per device, kept to compare
    /// with what was measured.
    var lastPrediction: [PlacementPreview.Row] = []
    /// Whether the index was moved since it was opened or last saved.
    var movedSinceSave = false
    /// The next number for a job or a tagged request.
    var nextTag = 1

    /// A model for a freshly opened index, before any message.
    init(size: Size, charset: Charset, themeName: String, catalog: ProductList, index: IndexSummary,
         devices: [DeviceStatus], k: Int) {
        self.size = size
        self.charset = charset
        self.themeName = themeName
        self.catalog = catalog
        self.index = index
        self.devices = devices
        self.products = ProductsState(allCount: catalog.count)
        self.similar = SimilarState(k: k)
    }

    /// Whether the screen is too small to lay out the panes.
    var isTooSmall: Bool { size.width < ExplorerLayout.minimumSize.width || size.height < ExplorerLayout.minimumSize.height }

    /// Jobs still running.
    var runningJobs: [JobState] { jobs.filter(\.isRunning) }

    /// A fresh number for a job or a request.
    mutating func takeTag() -> Int {
        defer { nextTag += 1 }
        return nextTag
    }
}
