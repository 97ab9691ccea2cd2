#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace bulwark::testsupport {

// A `bulwark serve` child process on 127.0.0.1 with a free port, for black-box tests. Not
// thread-safe; owned by one test. The destructor stops it (SIGTERM, then SIGKILL).
class ServerProcess {
public:
    // `data_dir`: --data; `db_url`: --db or empty for SQLite; `extra`: more serve flags.
    ServerProcess(std::string data_dir, std::string db_url, std::vector<std::string> extra = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // --log-level of the server ("warn" unless set before Start).
    void set_log_level(std::string level) { log_level_ = std::move(level); }
    // Starts it and waits for its "listening on" line (at most 30 s); false on failure.
    bool Start();
    // SIGTERM and wait for exit; returns the exit status (as from waitpid), -1 if not running.
    int Stop();
    // SIGKILL: the crash case.
    void Kill();

    unsigned short port() const { return port_; }
    pid_t pid() const { return pid_; }
    // Everything the process wrote to stdout and stderr so far (for failure messages).
    std::string output() const;

private:
    std::string data_dir_;
    std::string db_url_;
    std::vector<std::string> extra_;
    std::string log_level_ = "warn";
    pid_t pid_ = -1;
    unsigned short port_ = 0;
    std::string log_path_;
};

// Path of the bulwark binary under test: $BULWARK_BIN or the one CMake built.
std::string BulwarkBinary();
// A new empty temporary folder.
std::string MakeTempDir(const std::string& prefix);
// The PostgreSQL server for tests ($BULWARK_TEST_PG), or "".
std::string TestPostgresUrl();
// Creates a fresh database on the test PostgreSQL server and returns its URL; it is dropped
// when the test program exits.
std::string CreateTestPostgresDatabase();

}  // namespace bulwark::testsupport
