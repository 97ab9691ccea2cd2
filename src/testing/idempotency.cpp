#include "testing/idempotency.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "http/response.hpp"

namespace bulwark::testing {
namespace {

namespace json = boost::json;

constexpr size_t kHashBytes = 16;

bool Storable(int status) { return status < 500; }

// Why a write's savepoint was rolled back on purpose (the answer is carried beside it). Told
// apart from every other failure (a failed COMMIT reports its own error to every write of the
// batch, and then nothing decided inside it may be kept).
constexpr std::string_view kRolledBack = "rolled back: a rejection or a concurrent retry";
Error Rolled() { return FailedPrecondition(std::string(kRolledBack)); }
bool RolledOnPurpose(const Status& s) { return !s.ok() && s.error().message == kRolledBack; }

}  // namespace

Answer Rejection(int status, std::string_view code, std::string_view message,
                 std::string_view field) {
    json::object error{{"code", code}, {"message", message}};
    if (field.empty()) {
        error["field"] = nullptr;
    } else {
        error["field"] = field;
    }
    return Answer{status, json::serialize(json::object{{"error", std::move(error)}})};
}

Answer AnswerFor(const Error& error) {
    return Rejection(http::HttpStatusFor(error.code), ErrorCodeName(error.code), error.message,
                     error.field);
}

std::string RequestHash(std::string_view canonical) {
    std::string out(kHashBytes, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                       reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(),
                       nullptr, 0);
    return out;
}

Answer Idempotency::Replay(const StoredRequest& stored, const WriteKey& w) {
    if (stored.user_id != w.user_id || stored.kind != w.kind || stored.hash != w.hash) {
        return Rejection(422, "idempotency_key_reused", "该幂等键已用于另一个请求, 请换一个键",
                         "key");
    }
    return Answer{stored.status, stored.body};
}

namespace {

StoredRequest RecordOf(Clock& clock, const WriteKey& w, const Answer& answer) {
    return StoredRequest{.key = w.key,
                         .user_id = w.user_id,
                         .kind = w.kind,
                         .hash = w.hash,
                         .status = answer.status,
                         .body = answer.body,
                         .created_at = clock.NowMillis()};
}

Result<Answer> StoredAnswer(db::Database& db, const WriteKey& w) {
    ASSIGN_OR_RETURN(auto stored,
                     db.ReadValue([&](db::Session& s) { return RequestStore::Find(s, w.key); }));
    if (!stored) return Internal("sampling_requests: a stored key vanished");
    return Idempotency::Replay(*stored, w);
}

}  // namespace

Result<Answer> Idempotency::Record(db::Database& db, Clock& clock, const WriteKey& w, Answer answer,
                                   const RejectionFn& on_rejection) {
    if (!Storable(answer.status)) return answer;
    bool raced = false;
    RETURN_IF_ERROR(db.Write([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(bool inserted, RequestStore::Insert(s, RecordOf(clock, w, answer)));
        raced = !inserted;
        if (raced || !on_rejection) return Ok();
        return on_rejection(s, answer);
    }));
    if (raced) return StoredAnswer(db, w);
    return answer;
}

Result<Answer> Idempotency::Apply(db::Database& db, Clock& clock, const WriteKey& w,
                                  const ApplyFn& apply, const RejectionFn& on_rejection) {
    std::optional<Answer> accepted;
    std::optional<Answer> rejected;
    bool raced = false;
    Status written = db.Write([&](db::Session& s) -> Status {
        accepted.reset();
        rejected.reset();
        raced = false;
        ASSIGN_OR_RETURN(Answer answer, apply(s));
        if (!answer.accepted()) {
            rejected = std::move(answer);
            return Rolled();
        }
        ASSIGN_OR_RETURN(bool inserted, RequestStore::Insert(s, RecordOf(clock, w, answer)));
        if (!inserted) {
            raced = true;
            return Rolled();
        }
        accepted = std::move(answer);
        return Ok();
    });
    if (written.ok()) {
        if (!accepted) return Internal("sampling write: committed without an answer");
        return std::move(*accepted);
    }
    if (!RolledOnPurpose(written)) return std::move(written).error();
    if (raced) return StoredAnswer(db, w);
    if (!rejected) return Internal("sampling write: rolled back without an answer");
    return Record(db, clock, w, std::move(*rejected), on_rejection);
}

void Idempotency::ApplyAsync(db::Database& db, Clock& clock, WriteKey w, ApplyFn decide,
                             DoneFn done) {
    auto write = std::make_shared<Pending>();
    write->w = std::move(w);
    write->decide = std::move(decide);
    write->done = std::move(done);
    ApplyAsync(db, clock, std::move(write), nullptr);
}

void Idempotency::ApplyAsync(db::Database& db, Clock& clock, std::shared_ptr<Pending> write,
                             const db::WriteGroup* group) {
    Pending* state = write.get();
    db.WriteAsync(
        [state, &clock](db::Session& s) -> Status {
            state->answer.reset();
            ASSIGN_OR_RETURN(Answer answer, state->decide(s));
            if (!Storable(answer.status)) {
                state->answer = std::move(answer);
                return Rolled();
            }
            ASSIGN_OR_RETURN(bool inserted,
                             RequestStore::Insert(s, RecordOf(clock, state->w, answer)));
            if (!inserted) {
                // The key was stored after the caller looked (a retry that raced the first
                // send, or another PostgreSQL server): that answer stands, and what `decide`
                // wrote goes with the savepoint.
                ASSIGN_OR_RETURN(auto stored, RequestStore::Find(s, state->w.key));
                if (!stored) return Unavailable("幂等键冲突, 请重试");
                state->answer = Replay(*stored, state->w);
                return Rolled();
            }
            state->answer = std::move(answer);
            return Ok();
        },
        // The job owns the write (its `write` below, or this callback): `state` lives until
        // the callback has run.
        [write](Status written) {
            if (write->answer && (written.ok() || RolledOnPurpose(written))) {
                write->done(std::move(*write->answer));
            } else if (!written.ok()) {
                write->done(std::move(written).error());
            } else {
                write->done(Internal("sampling write: committed without an answer"));
            }
        },
        group, group != nullptr ? write : nullptr);
}

Status Idempotency::StoreTogether(db::Batch& batch, Clock& clock, std::span<Pending* const> writes,
                                  bool* all) {
    std::vector<StoredRequest> records;
    records.reserve(writes.size());
    std::unordered_set<std::string_view> keys;
    for (const Pending* write : writes) {
        if (write->replayed) continue;
        if (!write->answer || !Storable(write->answer->status)) {
            return Unavailable("an answer to keep apart");
        }
        if (!keys.insert(write->w.key).second) return Unavailable("a key sent twice");
        records.push_back(RecordOf(clock, write->w, *write->answer));
    }
    RequestStore::InsertAll(batch, records, all);
    return Ok();
}

Result<Answer> Idempotency::Run(db::Database& db, Clock& clock, const WriteKey& w,
                                const ApplyFn& apply) {
    ASSIGN_OR_RETURN(auto stored,
                     db.ReadValue([&](db::Session& s) { return RequestStore::Find(s, w.key); }));
    if (stored) return Replay(*stored, w);
    return Apply(db, clock, w, apply);
}

}  // namespace bulwark::testing
