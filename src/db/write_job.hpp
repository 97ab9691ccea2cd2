#pragma once

#include <future>
#include <optional>
#include <utility>

#include "db/database.hpp"

namespace bulwark::db::internal {

// One write waiting for a writer thread, shared by both drivers: Write()'s lives on the caller's
// stack and the caller waits on its future; WriteAsync()'s lives on the heap, owns its work and
// deletes itself once finished.
class WriteJob {
public:
    explicit WriteJob(const Database::Work& work) : work_(&work) { result_.emplace(); }
    static WriteJob* Async(Database::Work work, Database::Done done) {
        auto* job = new WriteJob(std::move(work), std::move(done));
        job->work_ = &job->owned_;
        return job;
    }

    const Database::Work& work() const { return *work_; }
    std::future<Status> Future() { return result_->get_future(); }

    // Hands the write's outcome over, once: to the waiting Write(), or to WriteAsync()'s `done`
    // (after which the job is gone).
    void Finish(Status status) {
        if (!done_) {
            result_->set_value(std::move(status));
            return;
        }
        Database::Done done = std::move(done_);
        delete this;
        done(std::move(status));
    }

private:
    WriteJob(Database::Work work, Database::Done done)
        : work_(nullptr), owned_(std::move(work)), done_(std::move(done)) {}

    const Database::Work* work_;
    Database::Work owned_;
    Database::Done done_;
    std::optional<std::promise<Status>> result_;
};

}  // namespace bulwark::db::internal
