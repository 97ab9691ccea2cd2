// The follow-up module's schema and the role permissions of its routes.
#include "testing/followup/followup_schema.hpp"

namespace bulwark::testing::followup {
namespace {

// done_at is 0 while an entry is open; one open entry per resident and reason.
constexpr const char* kHomeSampling =
    "CREATE TABLE home_sampling ("
    " id ID_PK,"
    " resident_id BIGINT NOT NULL,"
    " community_id BIGINT NOT NULL,"
    " round_id BIGINT NOT NULL,"
    " reason TEXT NOT NULL,"
    " urgent INTEGER NOT NULL,"
    " source TEXT NOT NULL,"
    " requested_by BIGINT NOT NULL,"
    " requested_at BIGINT NOT NULL,"
    " done_at BIGINT NOT NULL,"
    " done_round_id BIGINT NOT NULL,"
    " done_tube TEXT NOT NULL);"
    "CREATE UNIQUE INDEX home_sampling_open ON home_sampling (resident_id, reason)"
    " WHERE done_at = 0;"
    "CREATE INDEX home_sampling_community ON home_sampling (community_id, done_at)";

}  // namespace

std::vector<db::Migration> Migrations() {
    return {{"followup", 1, "the home-sampling list", kHomeSampling}};
}

}  // namespace bulwark::testing::followup
