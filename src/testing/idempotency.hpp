#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "testing/request_store.hpp"

namespace bulwark::testing {

// The answer to a write as the phone receives it: an HTTP status and a JSON body. A retried
// write gets exactly this back.
struct Answer {
    int status = 200;
    std::string body;

    bool accepted() const { return status >= 200 && status < 300; }
};

// A rejection: status with the standard error body {"error":{"code","message","field"}},
// `code` being a sampling reason ("already_sampled", "tube_closed", ...).
Answer Rejection(int status, std::string_view code, std::string_view message,
                 std::string_view field = {});
// The same body for an Error, with the status and code name of its ErrorCode.
Answer AnswerFor(const Error& error);

// What identifies one write: the phone's key, who sent it, its kind and a hash of its body in a
// canonical form (so that a batch item and the same request sent alone hash alike).
struct WriteKey {
    std::string key;
    int64_t user_id = 0;
    std::string kind;
    std::string hash;
};
// BLAKE2b-128 of `canonical` (fields joined with an unambiguous separator by the caller).
std::string RequestHash(std::string_view canonical);

// The idempotency protocol of every sampling write. Stateless; thread-safe.
//
// A key is stored in sampling_requests (UNIQUE) with its answer in the same transaction as the
// write it answers, so an acknowledged write and its answer are durable together. A retry with
// the same key, user, kind and body gets the stored answer; anything else under a stored key is
// 422 "idempotency_key_reused".
class Idempotency {
public:
    using ApplyFn = std::function<Result<Answer>(db::Session&)>;
    // Runs in the transaction that stores a rejection, before it (an audit row for a rejection
    // that tells something about a person).
    using RejectionFn = std::function<Status(db::Session&, const Answer&)>;

    // The stored answer for `w`, or the 422 for a key reused by another user or body.
    static Answer Replay(const StoredRequest& stored, const WriteKey& w);
    // Runs `apply` in one Database::Write and stores its answer under the key in the same
    // savepoint. An answer outside 2xx is a rejection: whatever `apply` changed is rolled back,
    // and the answer alone is stored (a second, rare, write). An error result of `apply` is
    // returned without storing anything (the phone may retry: a 503 is not an answer to keep).
    // When a concurrent request stored the key first, returns its stored answer (Replay).
    // Does not look the key up first: callers do that in their own read (Run, or the scan).
    static Result<Answer> Apply(db::Database& db, Clock& clock, const WriteKey& w,
                                const ApplyFn& apply, const RejectionFn& on_rejection = {});
    // Stores an answer decided before any change (a rejection found in the caller's read): one
    // write; a concurrent store of the key wins (Replay). 5xx answers are returned unstored.
    static Result<Answer> Record(db::Database& db, Clock& clock, const WriteKey& w, Answer answer,
                                 const RejectionFn& on_rejection = {});
    // The protocol in one Database::WriteAsync: `decide` runs and its answer is stored under
    // the key. The key is not looked up first (a statement per write): when it is stored
    // already (a retry, one that raced the first send, or another PostgreSQL server's), the
    // insert under the key finds it, everything `decide` wrote is rolled back and the stored
    // answer replayed. So `decide` must be safe to run for a retry: what it would decide then
    // (a barcode used, a person sampled) is never kept. Unlike Apply, `decide` must not have
    // changed anything when it answers a rejection, except rows that belong with the rejection (its
    // audit row): they are kept with it. A 5xx answer or an error result rolls everything back and
    // is not stored (a retry then decides again). `done` gets the answer once the commit is
    // durable, on the writer thread (see WriteAsync): it must be quick.
    using DoneFn = std::function<void(Result<Answer>)>;
    static void ApplyAsync(db::Database& db, Clock& clock, WriteKey w, ApplyFn decide, DoneFn done);

    // A write queued by ApplyAsync: its key, what decides it alone, who waits for its answer,
    // and the answer once decided. A kind of write that a db::WriteGroup can decide together
    // (the scans) derives from it with what its group needs.
    struct Pending : db::GroupedWrite {
        WriteKey w;
        ApplyFn decide;
        DoneFn done;
        std::optional<Answer> answer;
        // The answer is the key's stored one, replayed by the group: nothing to store.
        bool replayed = false;
    };
    // ApplyAsync for a write that `group` may decide together with its neighbours (see
    // db::WriteGroup): the group sets each write's `answer`, writes what each accepted write
    // changes and stores the answers with StoreTogether. When the group hands the writes back,
    // each runs `decide` as ApplyAsync does.
    static void ApplyAsync(db::Database& db, Clock& clock, std::shared_ptr<Pending> write,
                           const db::WriteGroup* group);
    // Adds to `batch` the storing of the answers of writes decided together under their keys
    // (a replayed one is skipped): a statement per up to 64. `all` (which must outlive the
    // run) is set false when a key was stored already; an error when a key comes twice or an
    // answer is not storable (5xx). Either makes the group fall back to one write at a time,
    // which replays or decides them again.
    static Status StoreTogether(db::Batch& batch, Clock& clock, std::span<Pending* const> writes,
                                bool* all);
    // Looks the key up (one read), replays a stored answer, else Apply.
    static Result<Answer> Run(db::Database& db, Clock& clock, const WriteKey& w,
                              const ApplyFn& apply);
};

}  // namespace bulwark::testing
