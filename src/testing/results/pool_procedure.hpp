#pragma once

#include <cstdint>

#include "auth/principal.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "testing/results/results_store.hpp"
#include "testing/round_service.hpp"
#include "testing/tube_query_store.hpp"

namespace bulwark::testing::results {

// What a tube's result sets going, inside the write that records it:
//  - a positive pooled tube (pool size > 1) opens the pooled-positive procedure: every member
//    is marked pending_retest, put on the home-sampling list (urgent), a follow-up round
//    "混管复核 <barcode>" of the members with single tubes is created for the community, and
//    the community's leaders see an alert (the open procedure) on the dashboard;
//  - a single tube's result resolves the member's open procedures (sampled after they opened):
//    negative clears the mark, positive makes the person a case, invalid keeps them pending and
//    puts them back on the home-sampling list; a procedure closes when no member is pending;
//  - a positive single tube outside any procedure is a case too;
//  - an invalid tube puts its members on the home-sampling list (not urgent).
// Every step is audited with its evidence (tube, result, lab, who) and kept as an event of the
// procedure. Holds references only; thread-safe.
class PoolProcedure {
public:
    explicit PoolProcedure(RoundService& rounds) : rounds_(rounds) {}

    Status AfterResult(db::Session& s, const auth::Principal& who, const TubeForResult& tube,
                       const StoredResult& result, int64_t now);

private:
    Status OpenPool(db::Session& s, const auth::Principal& who, const TubeForResult& tube,
                    const StoredResult& result, const std::vector<TubeSwab>& members, int64_t now);
    Status ResolveRetests(db::Session& s, const auth::Principal& who, const TubeForResult& tube,
                          const StoredResult& result, const TubeSwab& member, int64_t now,
                          bool* in_procedure);

    RoundService& rounds_;
};

}  // namespace bulwark::testing::results
