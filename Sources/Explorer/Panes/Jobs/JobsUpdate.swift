import Core
import Foundation
import TUI

// The Jobs pane's part of the update: jobs are added when a move, save, conversion or model
// load starts, follow their progress, and end finished, cancelled or failed.

extension ExplorerUpdate {
    /// Finished jobs are dropped from the front past this many.
    static let maximumJobsKept = 20

    /// Asks a running job to stop.
    static func cancelJob(_ model: inout ExplorerModel, _ id: Int) -> [ExplorerEffect] {
        guard let position = model.jobs.firstIndex(where: { $0.id == id }), model.jobs[position].status == .running else {
            return []
        }
        model.jobs[position].status = .cancelling
        return [.cancel(job: id)]
    }

    /// Adds a running job and returns its number.
    static func addJob(_ model: inout ExplorerModel, title: String, countsRows: Bool = true,
                       touchesIndex: Bool = true) -> Int {
        let id = model.takeTag()
        var job = JobState(id: id, title: title, total: model.index.count, rowBytes: model.index.dimension * 4,
                           startedAt: model.now)
        job.countsRows = countsRows
        job.touchesIndex = touchesIndex
        model.jobs.append(job)
        if model.jobs.count > maximumJobsKept {
            model.jobs.removeFirst(model.jobs.count - maximumJobsKept)
        }
        model.jobsTable.select(model.jobs.count - 1, rowCount: model.jobs.count)
        return id
    }

    /// Applies `change` to job `id`, if it is still listed.
    static func updateJob(_ model: inout ExplorerModel, _ id: Int, _ change: (inout JobState) -> Void) {
        guard let position = model.jobs.firstIndex(where: { $0.id == id }) else { return }
        change(&model.jobs[position])
    }

    /// Marks job `id` as over.
    static func finishJob(_ model: inout ExplorerModel, _ id: Int, status: JobState.Status) {
        let now = model.now
        updateJob(&model, id) {
            $0.status = status
            $0.endedAt = now
            if status == .finished { $0.done = $0.total }
        }
    }
}
