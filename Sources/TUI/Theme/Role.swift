// The roles widgets draw with. A theme maps each to colours and attributes; a role it does not
// name falls back to its parent ("border.focused" → "border") and finally to "text".

/// Names of the theme roles used by the toolkit's widgets (a role is a plain string, so screens
/// may add their own; these constants just avoid typos).
public enum Role {
    /// Ordinary text.
    public static let text = "text"
    /// Secondary text: hints, units, placeholders.
    public static let dim = "dim"
    /// The border of an unfocused box.
    public static let border = "border"
    /// The border of the focused box.
    public static let borderFocused = "border.focused"
    /// A box title.
    public static let title = "title"
    /// The title of the focused box.
    public static let titleFocused = "title.focused"
    /// Table column headers.
    public static let header = "header"
    /// The selected row of the focused list.
    public static let selection = "selection"
    /// The selected row of a list that is not focused.
    public static let selectionInactive = "selection.inactive"
    /// Memory gauge: the index's own data (vectors, codes, ids, lists, graph).
    public static let gaugeIndex = "gauge.index"
    /// Memory gauge: scratch buffers.
    public static let gaugeScratch = "gauge.scratch"
    /// Memory gauge: memory used by others.
    public static let gaugeOther = "gauge.other"
    /// Memory gauge: free memory.
    public static let gaugeFree = "gauge.free"
    /// The label of a gauge or progress bar.
    public static let gaugeLabel = "gauge.label"
    /// Progress bar: the done part.
    public static let progress = "progress"
    /// Progress bar: the part still to do.
    public static let progressTrack = "progress.track"
    /// A warning message.
    public static let warning = "warning"
    /// An error message.
    public static let error = "error"
    /// A success message.
    public static let success = "success"
    /// A key in the footer ("q").
    public static let footerKey = "footer.key"
    /// A key's label in the footer ("quit").
    public static let footerLabel = "footer.label"
    /// Text typed into an input line.
    public static let input = "input"
    /// The prompt before an input line (":" or "/").
    public static let inputPrompt = "input.prompt"
    /// The placeholder shown in an empty input line.
    public static let inputPlaceholder = "input.placeholder"
    /// The characters of a name that matched the filter.
    public static let match = "match"

    /// The colour role of device number `index` (`device.0` … `device.7`, repeating after 8).
    public static func device(_ index: Int) -> String {
        "device.\(((index % 8) + 8) % 8)"
    }
}
