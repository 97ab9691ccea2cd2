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

// Assignments are written only when staff reassign (the default is the grid's grid worker);
// attempts are never changed or removed. A resident's recorded health code changes only when a
// request is approved by a second person.
constexpr const char* kFollowup =
    "CREATE TABLE followup_assignments ("
    " round_id BIGINT NOT NULL,"
    " resident_id BIGINT NOT NULL,"
    " user_id BIGINT NOT NULL,"
    " assigned_by BIGINT NOT NULL,"
    " assigned_at BIGINT NOT NULL,"
    " PRIMARY KEY (round_id, resident_id));"
    "CREATE TABLE followup_attempts ("
    " id ID_PK,"
    " round_id BIGINT NOT NULL,"
    " resident_id BIGINT NOT NULL,"
    " community_id BIGINT NOT NULL,"
    " outcome TEXT NOT NULL,"
    " exempting INTEGER NOT NULL,"
    " note TEXT NOT NULL,"
    " place TEXT NOT NULL,"
    " tested_at BIGINT NOT NULL,"
    " by_user BIGINT NOT NULL,"
    " by_name TEXT NOT NULL,"
    " at BIGINT NOT NULL);"
    "CREATE INDEX followup_attempts_round ON followup_attempts (round_id, resident_id);"
    "CREATE INDEX followup_attempts_community ON followup_attempts (community_id, at);"
    "CREATE TABLE health_code_requests ("
    " id ID_PK,"
    " resident_id BIGINT NOT NULL,"
    " community_id BIGINT NOT NULL,"
    " grid_id BIGINT NOT NULL,"
    " from_status TEXT NOT NULL,"
    " to_status TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " evidence TEXT NOT NULL,"
    " requested_by BIGINT NOT NULL,"
    " requested_name TEXT NOT NULL,"
    " requested_at BIGINT NOT NULL,"
    " status TEXT NOT NULL,"
    " decided_by BIGINT NOT NULL,"
    " decided_name TEXT NOT NULL,"
    " decided_at BIGINT NOT NULL,"
    " decision_note TEXT NOT NULL);"
    "CREATE INDEX health_code_requests_community ON health_code_requests (community_id, status);"
    "CREATE INDEX health_code_requests_resident ON health_code_requests (resident_id);"
    "CREATE TABLE health_codes ("
    " resident_id BIGINT PRIMARY KEY,"
    " status TEXT NOT NULL,"
    " since BIGINT NOT NULL,"
    " request_id BIGINT NOT NULL)";

// Who may do what (the contract of issue 6); scope narrows each grant further.
constexpr const char* kPermissions =
    "INSERT INTO role_permissions (role, permission) VALUES"
    " ('administrator', 'coverage.read'), ('staff', 'coverage.read'),"
    " ('data_verifier', 'coverage.read'), ('grid_worker', 'coverage.read'),"
    " ('administrator', 'followup.read'), ('staff', 'followup.read'),"
    " ('data_verifier', 'followup.read'), ('grid_worker', 'followup.read'),"
    " ('administrator', 'followup.write'), ('staff', 'followup.write'),"
    " ('data_verifier', 'followup.write'), ('grid_worker', 'followup.write'),"
    " ('administrator', 'followup.assign'), ('staff', 'followup.assign'),"
    " ('administrator', 'healthcode.request'), ('staff', 'healthcode.request'),"
    " ('data_verifier', 'healthcode.request'), ('grid_worker', 'healthcode.request'),"
    " ('administrator', 'healthcode.approve'), ('staff', 'healthcode.approve'),"
    " ('administrator', 'reports.read'), ('staff', 'reports.read')"
    " ON CONFLICT DO NOTHING";

}  // namespace

std::vector<db::Migration> Migrations() {
    return {{"followup", 1, "the home-sampling list", kHomeSampling},
            {"followup", 2, "assignments, attempts, health-code requests", kFollowup},
            {"followup", 3, "follow-up permissions of the roles", kPermissions}};
}

}  // namespace bulwark::testing::followup
