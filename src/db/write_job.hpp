#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "db/database.hpp"

namespace bulwark::db::internal {

// One write waiting for a writer thread, shared by both drivers: Write()'s lives on the caller's
// stack and the caller waits on its future; WriteAsync()'s lives on the heap, owns its work and
// deletes itself once finished.
class WriteJob {
public:
    explicit WriteJob(const Database::Work& work) : work_(&work) { result_.emplace(); }
    static WriteJob* Async(Database::Work work, Database::Done done, const WriteGroup* group,
                           std::shared_ptr<GroupedWrite> write) {
        auto* job = new WriteJob(std::move(work), std::move(done));
        job->work_ = &job->owned_;
        if (group != nullptr && write != nullptr) {
            job->group_ = group;
            job->write_ = std::move(write);
        }
        return job;
    }

    const Database::Work& work() const { return *work_; }
    // The group this write may be applied with, or null; and what the group sees of it.
    const WriteGroup* group() const { return group_; }
    GroupedWrite* write() const { return write_.get(); }
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
    const WriteGroup* group_ = nullptr;
    std::shared_ptr<GroupedWrite> write_;
    std::optional<std::promise<Status>> result_;
};

// The queue between callers of Write()/WriteAsync() and a driver's writer threads. Thread-safe.
class WriteQueue {
public:
    Status Write(const Database::Work& work) {
        WriteJob job(work);
        std::future<Status> done = job.Future();
        if (!Push(&job)) return Unavailable("数据库已关闭");
        return done.get();
    }

    void WriteAsync(Database::Work work, Database::Done done, const WriteGroup* group,
                    std::shared_ptr<GroupedWrite> write) {
        WriteJob* job = WriteJob::Async(std::move(work), std::move(done), group, std::move(write));
        if (!Push(job)) job->Finish(Unavailable("数据库已关闭"));
    }

    // A writer thread's side: waits for work, then moves up to `max` jobs into `batch`, oldest
    // first. False once the queue is closed and empty: the writer stops.
    bool Take(std::vector<WriteJob*>& batch, size_t max) {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return closed_ || !queue_.empty(); });
        if (queue_.empty()) return false;
        const auto n = static_cast<long>(std::min(queue_.size(), std::max<size_t>(1, max)));
        batch.assign(queue_.begin(), queue_.begin() + n);
        queue_.erase(queue_.begin(), queue_.begin() + n);
        return true;
    }

    // As Take(), but also returns, with `batch` empty, once `ready()` is true: checked under
    // the queue's lock, so whoever makes it true then calls Wake(). `max` 0 takes no jobs.
    bool TakeOr(std::vector<WriteJob*>& batch, size_t max, const std::function<bool()>& ready) {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return closed_ || (max > 0 && !queue_.empty()) || ready(); });
        if (max > 0 && !queue_.empty()) {
            const auto n = static_cast<long>(std::min(queue_.size(), max));
            batch.assign(queue_.begin(), queue_.begin() + n);
            queue_.erase(queue_.begin(), queue_.begin() + n);
            return true;
        }
        return !closed_;
    }

    // A standby writer's side: as Take(), but only once at least `backlog` jobs wait (the
    // writer that takes them as they come is held by a long write, or cannot keep up).
    bool TakeBacklog(std::vector<WriteJob*>& batch, size_t max, size_t backlog) {
        std::unique_lock lock(mu_);
        backlog_ = std::max<size_t>(1, backlog);
        backlog_cv_.wait(lock, [&] { return closed_ || queue_.size() >= backlog_; });
        if (queue_.empty()) return false;
        const auto n = static_cast<long>(std::min(queue_.size(), std::max<size_t>(1, max)));
        batch.assign(queue_.begin(), queue_.begin() + n);
        queue_.erase(queue_.begin(), queue_.begin() + n);
        return true;
    }

    // Whether no job waits.
    bool Empty() {
        std::lock_guard lock(mu_);
        return queue_.empty();
    }

    // Wakes a writer waiting in TakeOr() to look at its `ready` again.
    void Wake() {
        { std::lock_guard lock(mu_); }
        cv_.notify_all();
    }

    // Puts jobs taken but not run back at the front, in their order.
    void PutBack(std::vector<WriteJob*>::const_iterator first,
                 std::vector<WriteJob*>::const_iterator last) {
        bool backlog = false;
        {
            std::lock_guard lock(mu_);
            queue_.insert(queue_.begin(), first, last);
            backlog = backlog_ != 0 && queue_.size() >= backlog_;
        }
        cv_.notify_one();
        if (backlog) backlog_cv_.notify_one();
    }

    // Refuses later writes; the writers drain what is queued, then Take() says stop. False
    // when it was closed already.
    bool Close() {
        {
            std::lock_guard lock(mu_);
            if (closed_) return false;
            closed_ = true;
        }
        cv_.notify_all();
        backlog_cv_.notify_all();
        return true;
    }

private:
    bool Push(WriteJob* job) {
        bool backlog = false;
        {
            std::lock_guard lock(mu_);
            if (closed_) return false;
            queue_.push_back(job);
            backlog = backlog_ != 0 && queue_.size() >= backlog_;
        }
        cv_.notify_one();
        if (backlog) backlog_cv_.notify_one();
        return true;
    }

    std::mutex mu_;
    std::condition_variable cv_;
    // Standby writers (TakeBacklog) wait here, for `backlog_` jobs (0: there is none).
    std::condition_variable backlog_cv_;
    size_t backlog_ = 0;
    std::deque<WriteJob*> queue_;
    bool closed_ = false;
};

// Puts each group's writes in `batch` next to each other, after the writes without a group, so
// that a group applies all of its writes in the batch together (a tube opened between two scans
// no longer splits them into two groups). The order is otherwise the queue's. Any order of one
// batch's writes is one the senders could have seen: each was queued before any of them was
// answered, so no sender can have learnt of another's outcome. A sender that needs an order
// (the sampling page's queue, POST /sampling/batch) waits for each answer before the next write.
inline void GatherGroups(std::vector<WriteJob*>& batch) {
    std::vector<const WriteGroup*> groups;  // in the order of their first write
    for (const WriteJob* job : batch) {
        if (job->group() != nullptr &&
            std::find(groups.begin(), groups.end(), job->group()) == groups.end()) {
            groups.push_back(job->group());
        }
    }
    if (groups.empty()) return;
    auto rank = [&](const WriteJob* job) -> size_t {
        if (job->group() == nullptr) return 0;
        return 1 + static_cast<size_t>(std::find(groups.begin(), groups.end(), job->group()) -
                                       groups.begin());
    };
    std::stable_sort(batch.begin(), batch.end(),
                     [&](const WriteJob* a, const WriteJob* b) { return rank(a) < rank(b); });
}

// Where the unit of a batch that starts at `first` ends: past the run of jobs queued with
// `first`'s group (at most `max` of them), or first + 1 for a job without one.
inline size_t UnitEnd(const std::vector<WriteJob*>& batch, size_t first, size_t max = 512) {
    const WriteGroup* group = batch[first]->group();
    size_t end = first + 1;
    if (group == nullptr) return end;
    while (end < batch.size() && end - first < max && batch[end]->group() == group) ++end;
    return end;
}

// Runs the jobs [first, end) of `batch`, two or more of one group, through that group.
inline Status ApplyUnit(const std::vector<WriteJob*>& batch, size_t first, size_t end,
                        Session& session) {
    std::vector<GroupedWrite*> writes;
    writes.reserve(end - first);
    for (size_t i = first; i < end; ++i) writes.push_back(batch[i]->write());
    return batch[first]->group()->ApplyTogether(session, writes);
}

}  // namespace bulwark::db::internal
