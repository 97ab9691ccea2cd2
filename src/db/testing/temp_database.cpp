#include "db/testing/temp_database.hpp"

#include <algorithm>
#include <cstdlib>
#include <random>

#include "db/postgres/postgres_database.hpp"

namespace bulwark::db::testing {

bool TempDatabase::PostgresConfigured() {
    const char* server = std::getenv("BULWARK_TEST_PG");
    return server != nullptr && *server != '\0';
}

Result<std::unique_ptr<TempDatabase>> TempDatabase::Create(const std::string& driver,
                                                           const std::string& prefix) {
    std::random_device random;
    const std::string suffix = std::to_string(random()) + std::to_string(random() % 1000);
    std::unique_ptr<TempDatabase> temp(new TempDatabase());
    if (driver == "sqlite") {
        temp->dir_ = std::filesystem::temp_directory_path() / (prefix + "_" + suffix);
        std::error_code ec;
        std::filesystem::create_directories(temp->dir_, ec);
        if (ec) return Unavailable("无法创建临时目录: " + ec.message());
        temp->url_ = "sqlite:" + (temp->dir_ / "test.db").string();
        return temp;
    }
    if (driver != "postgres") return InvalidArgument("未知数据库驱动: " + driver);
    if (!PostgresConfigured()) return Unavailable("BULWARK_TEST_PG not set");
    const std::string server = std::getenv("BULWARK_TEST_PG");
    const std::string name = prefix + "_" + suffix;
    RETURN_IF_ERROR(ExecPostgresAutocommit(server, "CREATE DATABASE " + name));
    temp->server_url_ = server;
    temp->pg_database_ = name;
    // Replace the database name (the path after the host) of the server's URL.
    const size_t host = server.find("://") + 3;
    const size_t query = std::min(server.find('?', host), server.size());
    const size_t slash = std::min(server.find('/', host), query);
    temp->url_ = server.substr(0, slash) + "/" + name + server.substr(query);
    return temp;
}

TempDatabase::~TempDatabase() {
    if (!pg_database_.empty()) {
        (void)ExecPostgresAutocommit(server_url_,
                                     "DROP DATABASE IF EXISTS " + pg_database_ + " WITH (FORCE)");
    }
    if (!dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

}  // namespace bulwark::db::testing
