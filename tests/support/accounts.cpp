#include "tests/support/accounts.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "tests/support/server_process.hpp"

namespace bulwark::testsupport {

bool AddUser(const std::string& data_dir, const std::string& db_url, const std::string& username,
             const std::string& password, const std::string& role, const std::string& scope,
             std::string* output) {
    std::string cmd = BulwarkBinary() + " --data '" + data_dir + "' --log-level warn";
    if (!db_url.empty()) cmd += " --db '" + db_url + "'";
    cmd += " user add --username '" + username + "' --role " + role + " --scope " + scope +
           " --password-stdin";
    std::string out_path = data_dir + "/user-add.out";
    cmd += " >'" + out_path + "' 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "w");
    if (pipe == nullptr) return false;
    std::fputs((password + "\n").c_str(), pipe);
    int status = ::pclose(pipe);
    if (output != nullptr) {
        output->clear();
        if (FILE* in = std::fopen(out_path.c_str(), "r")) {
            char buf[4096];
            size_t n;
            while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) output->append(buf, n);
            std::fclose(in);
        }
    }
    return status == 0;
}

std::string LogIn(HttpClient& client, const std::string& username, const std::string& password) {
    auto escape = [](const std::string& s) {
        std::string out;
        for (char c : s) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        return out;
    };
    HttpResult r =
        client.PostJson("/api/v1/auth/login", "{\"username\":\"" + escape(username) +
                                                  "\",\"password\":\"" + escape(password) + "\"}");
    if (r.status != 200) {
        // Said here, so that a test failing on an empty token shows why the login failed.
        std::cerr << "testsupport::LogIn(" << username << "): status " << r.status << " "
                  << r.body.substr(0, 300) << "\n";
        return "";
    }
    const std::string key = "\"csrf_token\":\"";
    auto at = r.body.find(key);
    if (at == std::string::npos) return "";
    at += key.size();
    std::string token = r.body.substr(at, r.body.find('"', at) - at);
    client.SetHeader("X-CSRF-Token", token);
    return token;
}

}  // namespace bulwark::testsupport
