#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "testing/results/results_service.hpp"

namespace bulwark::testing::results {

// How often one client address may call the residents' public page.
struct PublicLimits {
    int per_address = 120;
    int64_t window_ms = 60 * 1000;
};

// A resident's own page: their results and their household's, names masked.
struct OwnPage {
    std::string name;
    std::optional<MemberStatus> status;  // pending_retest while a procedure waits on them
    std::vector<ResidentResult> results;
    struct Member {
        std::string name;
        std::optional<MemberStatus> status;
        std::vector<ResidentResult> results;
    };
    std::vector<Member> household;
};

// The answer of a public call: refused for the rate limit (retry after so many seconds) or
// given.
template <class T>
struct PublicAnswer {
    int64_t retry_after_seconds = 0;  // > 0: refused, 429
    bool not_found = false;           // a wrong token: 404 (the call still counts)
    T value{};
};

// The residents' own page, opened by the personal code token alone (no session). An unknown
// or re-issued token answers kNotFound "未找到" exactly like any wrong one; no lookup by name or
// document exists. Every call counts against its client address (PublicLimits, kept in the
// database so several servers share it); every answer is audited as read by the code. Holds
// references; thread-safe.
class PublicPage {
public:
    PublicPage(db::Database& db, Clock& clock, PublicLimits limits)
        : db_(db), clock_(clock), limits_(limits) {}

    Result<PublicAnswer<OwnPage>> Results(const std::string& token, const std::string& address,
                                          const std::string& request_id);
    // The resident asks to be sampled at home (reason "requested").
    Result<PublicAnswer<bool>> RequestHomeSampling(const std::string& token,
                                                   const std::string& note,
                                                   const std::string& address,
                                                   const std::string& request_id);

private:
    // Counts the call; > 0 seconds when the address used up its calls.
    Result<int64_t> Limit(db::Session& s, const std::string& address, int64_t now);

    db::Database& db_;
    Clock& clock_;
    PublicLimits limits_;
};

}  // namespace bulwark::testing::results
