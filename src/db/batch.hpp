#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::db {

// Statements gathered from several stores and sent together (Session::RunAll): a group of
// scans' reads, or its writes, in one round trip on PostgreSQL instead of one per statement.
// A store adds its statements, each with what to do with its outcome (`then`: typically fill
// a variable of the caller's, which must outlive Run); the store's plain form runs a batch of
// its own. Not thread-safe; belongs to one transaction.
class Batch {
public:
    using Then = std::function<Status(Outcome&)>;

    void Add(std::string sql, Params params, Then then) {
        statements_.push_back(Statement{std::move(sql), std::move(params)});
        thens_.push_back(std::move(then));
    }
    bool empty() const { return statements_.empty(); }
    size_t size() const { return statements_.size(); }

    // Runs the statements, then each `then` in order, and leaves the batch empty. Returns the
    // first failure: of a statement (no `then` has run), or of a `then`, which is how a store
    // reports a lost race such as a compare-and-set that changed no row (the later `then`s do
    // not run, though their statements did: the caller rolls back).
    Status Run(Session& session) {
        std::vector<Statement> statements = std::exchange(statements_, {});
        std::vector<Then> thens = std::exchange(thens_, {});
        if (statements.empty()) return Ok();
        ASSIGN_OR_RETURN(std::vector<Outcome> outcomes, session.RunAll(statements));
        if (outcomes.size() != thens.size()) return Internal("db: a batch lost an outcome");
        for (size_t i = 0; i < thens.size(); ++i) {
            if (thens[i]) RETURN_IF_ERROR(thens[i](outcomes[i]));
        }
        return Ok();
    }

private:
    std::vector<Statement> statements_;
    std::vector<Then> thens_;
};

}  // namespace bulwark::db
