#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "db/batch.hpp"
#include "db/database.hpp"

namespace bulwark::testing {

// One answered write of a phone, kept under its idempotency key: who sent it, what kind, a hash
// of its body, and the answer given (HTTP status and JSON body text).
struct StoredRequest {
    std::string key;
    int64_t user_id = 0;
    std::string kind;  // "open_tube", "scan", "close_tube", "floating", "box_open", ...
    std::string hash;  // 16 bytes
    int status = 0;
    std::string body;
    int64_t created_at = 0;
};

// The SQL of sampling_requests. Stateless; thread-safe.
class RequestStore {
public:
    static Result<std::optional<StoredRequest>> Find(db::Session& s, const std::string& key);
    // Find() for several keys, added to `batch` (a statement per up to 64): `out` gets those
    // stored (any order) when it runs, so it must outlive the run.
    static void FindAll(db::Batch& batch, const std::vector<std::string>& keys,
                        std::vector<StoredRequest>* out);
    // Stores `request` unless its key is already stored (INSERT ... ON CONFLICT DO NOTHING);
    // false when it was, which the caller treats as a concurrent retry.
    static Result<bool> Insert(db::Session& s, const StoredRequest& request);
    // Insert() for several, added to `batch` (a statement per up to 64), for keys the caller
    // found not stored. One stored meanwhile (by another server's writer) fails the run with
    // the unique constraint's error (or sets `all`, which must outlive the run, false); the
    // caller then rolls back and stores them one by one. No ON CONFLICT here: on PostgreSQL
    // it makes each row a speculative insertion, with a probe of the key's index before the
    // insert and a WAL record after it.
    static void InsertAll(db::Batch& batch, const std::vector<StoredRequest>& requests, bool* all);
};

}  // namespace bulwark::testing
