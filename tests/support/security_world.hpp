#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "db/database.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

namespace bulwark::testsupport {

// The roles the security tests sign in as, each with one grant:
//   administrator  street:<street.in>      staff, data_verifier  community:<community.in>
//   grid_worker    grid:<grid.in>          scanner  site:<site.in>  lab  lab:<lab.in>
const std::vector<std::string>& SecurityRoles();

// A person the world registered through the API, with the synthetic ID number and phone that
// must never leave the server unmasked nor reach the disk in plaintext.
struct SeededPerson {
    std::string id;  // internal id, as text
    std::string name;
    std::string doc_number;
    std::string phone;
    bool in_scope = false;  // under street.in (true) or street.out (false)
};

// One running `bulwark serve` per database driver with seeded data and one signed-in session
// per role, shared by every security test of the program (so the matrix starts one server and
// logs each role in once). Two streets: everything named "<kind>.in" lies under the first, the
// roles' scopes; everything "<kind>.out" under the second, outside every role's scope. Not
// thread-safe (tests run one at a time).
class SecurityWorld {
public:
    // The world of `driver` ("sqlite" or "postgres"), created at first use, stopped when the
    // program ends. nullptr with `*skip` set when the driver is not configured (PostgreSQL
    // without BULWARK_TEST_PG), or with `*error` set when setting it up failed.
    static SecurityWorld* For(const std::string& driver, std::string* skip, std::string* error);
    // Stops every world's server (a gtest environment calls it at the end).
    static void StopAll();

    const std::string& driver() const { return driver_; }
    const std::string& data_dir() const { return data_dir_; }
    const std::string& db_url() const { return db_url_; }
    ServerProcess& server() { return *server_; }
    unsigned short port() const { return server_->port(); }

    // The session of `role` (one of SecurityRoles()), signed in once and kept.
    HttpClient& As(const std::string& role);
    // A new session of `role`'s user, for calls that end sessions (logout).
    std::unique_ptr<HttpClient> FreshSession(const std::string& role);
    // The administrator of the first street (in scope) or of the second, outside the matrix,
    // for setting up and looking things up.
    HttpClient& Seeder(bool in_scope = true);
    // The permissions of `role` as the server reports them (GET /api/v1/auth/me).
    const std::set<std::string>& Permissions(const std::string& role) const;
    // The user name and the current password of `role`'s user; SetPassword records a change.
    std::string Username(const std::string& role) const;
    const std::string& Password(const std::string& role) const;
    void SetPassword(const std::string& role, const std::string& password);

    // Seeded objects by kind ("street", "community", "grid", "building", "resident", "user",
    // "code", ...): the one in the roles' scope and the one outside it. "" if none was seeded.
    std::string In(const std::string& kind) const;
    std::string Out(const std::string& kind) const;
    // As In and Out, and for kinds that only their maker may see ("import", "import_to_apply":
    // import jobs) made at first use: `role`'s own (the first street's administrator's when the
    // role may not make one), and one of the second street's administrator. Where a role's
    // scope holds another object of a kind (the lab's box is the one handed to its lab), InFor
    // names that one. "free_table": a table of the site without an open tube, each call another.
    std::string InFor(const std::string& role, const std::string& kind);
    std::string OutFor(const std::string& kind);
    const std::vector<SeededPerson>& people() const { return people_; }

    // A token no other call of this program got (for unique names and keys).
    std::string Unique();
    // A fresh synthetic ID number (region 990001, correct check character) and phone. Every
    // value handed out is remembered: none may reach the disk or a log in plaintext.
    std::string NewIdNumber();
    std::string NewPhone();
    // A key for the testing capability's idempotent writes.
    std::string RequestKey();
    // The personal code of a person made for the call (in the first street), for a scan.
    std::string FreshCode();
    const std::vector<std::string>& minted() const { return minted_; }

    // Runs a query on the world's database, opened directly beside the running server.
    Result<db::Rows> Query(const std::string& sql, const db::Params& params = {});

    // Runs `bulwark --data D [--db URL] <args>`; returns stdout and stderr, the exit code in
    // `*status`.
    std::string Cli(const std::string& args, int* status);

private:
    SecurityWorld() = default;
    bool Start(const std::string& driver, std::string* error);
    bool Seed(std::string* error);
    bool AddPerson(HttpClient& as, bool in_scope, const std::string& name, std::string* error);
    // Labs, a site with tables, rounds, tubes and boxes on one street (security_world_testing).
    bool SeedTesting(bool in_scope, std::string* error);
    std::string FreeTable(bool in_scope);
    // Results on one street (security_world_results.cpp): a recorded result, a pooled positive.
    bool SeedResults(bool in_scope, std::string* error);
    // "result_import" (the role's own), "conflict" (a new one per call in scope), "public_code"
    // (a fresh code in scope; a re-issued one out of scope).
    std::string ResultsInFor(const std::string& role, const std::string& kind);
    std::string ResultsOutFor(const std::string& kind);
    std::string MakeResultImport(HttpClient& as, bool in_scope);
    std::string NewConflict(bool in_scope);
    // An import job of `as` into `community`, parsed and checked; "" if it could not be made.
    std::string MakeImport(HttpClient& as, const std::string& community);

    std::string driver_;
    std::string data_dir_;
    std::string db_url_;
    std::unique_ptr<ServerProcess> server_;
    std::unique_ptr<db::Database> db_;
    std::unique_ptr<HttpClient> seeder_;
    std::unique_ptr<HttpClient> seeder_out_;
    std::map<std::string, std::unique_ptr<HttpClient>> sessions_;
    std::map<std::string, std::set<std::string>> permissions_;
    std::map<std::string, std::string> passwords_;
    std::map<std::string, std::string> in_;
    std::map<std::string, std::string> out_;
    std::map<std::string, std::string> owned_;  // "role/kind" -> id
    std::vector<std::string> free_tables_;
    std::vector<std::string> out_free_tables_;
    std::vector<SeededPerson> people_;
    std::vector<std::string> minted_;
    int serial_ = 0;
};

// The 17-digit body of an ID number plus its ISO 7064 MOD 11-2 check character.
std::string WithCheckCharacter(const std::string& first17);

}  // namespace bulwark::testsupport
