#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"
#include "db/migrations.hpp"

namespace bulwark::system {

// An error the web app met and reported.
struct ClientError {
    int64_t id = 0;
    std::string key;  // idempotency key made by the page
    std::string message;
    std::string page;
    std::string user_agent;
    int64_t received_at = 0;  // Unix ms
};

std::vector<db::Migration> Migrations();

// SQL of the system module. Stateless; thread-safe.
class SystemStore {
public:
    // Records `error` unless its key is already stored. Returns the stored row: the new one, or
    // the earlier one for a retried key. A key reused with another message or page is
    // kFailedPrecondition.
    static Result<ClientError> RecordClientError(db::Session& s, const ClientError& error);
    // Newest first, at most `limit`.
    static Result<std::vector<ClientError>> ListClientErrors(db::Session& s, int limit);
};

}  // namespace bulwark::system
