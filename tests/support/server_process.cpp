#include "tests/support/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

namespace bulwark::testsupport {

std::string BulwarkBinary() {
    if (const char* env = std::getenv("BULWARK_BIN")) return env;
    return BULWARK_BIN_DEFAULT;
}

std::string MakeTempDir(const std::string& prefix) {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    char* made = mkdtemp(tmpl.data());
    return made ? std::string(made) : std::string();
}

std::string TestPostgresUrl() {
    const char* env = std::getenv("BULWARK_TEST_PG");
    return env ? env : "";
}

namespace {

std::mutex created_mu;
std::vector<std::string> created;

// Drops the databases this program created, at its exit: WITH (FORCE), since a server of a
// failed test may still hold connections. (They used to stay on a shared server forever.)
void DropCreatedDatabases() {
    std::lock_guard lock(created_mu);
    if (created.empty()) return;
    std::string cmd = "psql -q '" + TestPostgresUrl() + "'";
    for (const std::string& name : created) {
        cmd += " -c 'DROP DATABASE IF EXISTS " + name + " WITH (FORCE)'";
    }
    cmd += " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not drop test databases\n");
    created.clear();
}

}  // namespace

std::string CreateTestPostgresDatabase() {
    std::string base = TestPostgresUrl();
    if (base.empty()) return "";
    std::random_device rd;
    std::string name = "bulwark_api_" + std::to_string(rd()) + std::to_string(rd() % 100000);
    std::string cmd =
        "psql -q -v ON_ERROR_STOP=1 '" + base + "' -c 'CREATE DATABASE " + name + "' >/dev/null";
    if (std::system(cmd.c_str()) != 0) return "";
    {
        std::lock_guard lock(created_mu);
        if (created.empty()) std::atexit(DropCreatedDatabases);
        created.push_back(name);
    }
    // Replace the database name (the last path segment) of the base URL.
    auto slash = base.rfind('/');
    auto query = base.find('?', slash);
    return base.substr(0, slash + 1) + name +
           (query == std::string::npos ? "" : base.substr(query));
}

ServerProcess::ServerProcess(std::string data_dir, std::string db_url,
                             std::vector<std::string> extra)
    : data_dir_(std::move(data_dir)), db_url_(std::move(db_url)), extra_(std::move(extra)) {
    static int counter = 0;
    log_path_ = data_dir_ + "/server-" + std::to_string(++counter) + ".log";
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

bool ServerProcess::Start() {
    std::vector<std::string> args = {BulwarkBinary(), "--data", data_dir_, "--log-level",
                                     log_level_};
    if (!db_url_.empty()) {
        args.push_back("--db");
        args.push_back(db_url_);
    }
    args.push_back("serve");
    args.push_back("--listen");
    args.push_back("127.0.0.1:0");
    for (auto& e : extra_) args.push_back(e);

    std::string stdout_path = log_path_ + ".stdout";
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
        // A test program killed midway (timeout, a broken pipe) takes its server with it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(1);
        int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        ::dup2(out, 1);
        ::dup2(err, 2);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    const std::string marker = "listening on ";
    while (std::chrono::steady_clock::now() < deadline) {
        std::ifstream in(stdout_path);
        std::string line;
        while (std::getline(in, line)) {
            auto at = line.find(marker);
            if (at == std::string::npos) continue;
            auto colon = line.rfind(':');
            port_ = static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
            return true;
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

int ServerProcess::Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
}

void ServerProcess::Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

std::string ServerProcess::output() const {
    std::ostringstream all;
    for (const std::string& p : {log_path_ + ".stdout", log_path_}) {
        std::ifstream in(p);
        all << in.rdbuf();
    }
    return all.str();
}

}  // namespace bulwark::testsupport
