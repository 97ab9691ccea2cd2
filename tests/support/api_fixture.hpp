#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "db/database.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"

namespace bulwark::testsupport {

// The fixture of the black-box API tests: the real `bulwark serve` on 127.0.0.1:0 on one
// database driver, the test's parameter ("sqlite" or "postgres"). Each test gets a fresh data
// folder and, on PostgreSQL, a fresh database; the PostgreSQL variant is skipped when
// BULWARK_TEST_PG is not set. The JSON helpers are members so that the tests' bodies name them
// plainly. Owned by one test; not thread-safe.
class ApiTest : public ::testing::TestWithParam<std::string> {
protected:
    enum class Serve {
        kAtSetUp,    // SetUp starts the server and signs admin_ in
        kWhenAsked,  // the test calls StartServerAndSignIn (or starts its own server)
    };

    static constexpr int64_t kHour = 3600LL * 1000;
    // Milliseconds since the epoch, by the system clock.
    static int64_t NowMillis();
    // `body` parsed as JSON; a null value when it is not JSON.
    static boost::json::value Parse(const std::string& body);
    // The "id" of a JSON object answer, 0 when there is none.
    static int64_t IdOf(const HttpResult& r);
    // `o` as a request body.
    static std::string Body(const boost::json::object& o);
    // A fresh idempotency key per call, as the phone makes them.
    static std::string NewKey();

    // `temp_prefix` names the data folder; `password` is every account's.
    ApiTest(std::string temp_prefix, std::string password, Serve serve);

    void SetUp() override;

    // Starts server_ on the test's storage, failing the test if it does not start, and signs
    // admin_ in: "leader", administrator of street:1. `env`: variables set while the server
    // starts (it reads them then), unset afterwards.
    void StartServerAndSignIn(const std::vector<std::pair<std::string, std::string>>& env = {});

    // Adds a user with `role` over `scope` ("KIND:ID") and returns a client signed in as them,
    // to the server on `port` (server_ by default). A failure fails the test.
    std::unique_ptr<HttpClient> SignedIn(unsigned short port, const std::string& name,
                                         const std::string& role, const std::string& scope);
    std::unique_ptr<HttpClient> SignedIn(const std::string& name, const std::string& role,
                                         const std::string& scope);

    // The test's database, opened directly beside the server; nullptr (a failed test) if not.
    std::unique_ptr<db::Database> OpenDirect();
    // The first column of the first row `sql` returns as a number; -1 without a row.
    int64_t Count(const std::string& sql, const db::Params& params = {});
    // The personal code token of a resident, as a printed card carries it; "" if none.
    std::string CodeOf(int64_t resident_id);

    // POSTs `body` as `c`, expects 201 and returns the new object's id (0 on failure).
    int64_t Post(HttpClient& c, const std::string& path, const boost::json::object& body);
    // Registers a resident as admin_: `extra` adds fields (doc_number, phone, presence...).
    int64_t Resident(int64_t building, const std::string& room, const std::string& name,
                     boost::json::object extra = {});

    // Runs `bulwark --data D [--db URL] <args>` on the test's storage; returns stdout and
    // stderr, and the exit code in `*status` (-1 when it did not exit normally).
    std::string Cli(const std::string& args, int* status);

    std::string data_dir_;
    std::string db_url_;
    std::unique_ptr<ServerProcess> server_;
    std::unique_ptr<HttpClient> admin_;

private:
    std::string temp_prefix_;
    std::string password_;
    Serve serve_;
};

}  // namespace bulwark::testsupport
