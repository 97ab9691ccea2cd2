#include "auth/personal_keys.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace bulwark::auth {
namespace {

std::filesystem::path KeysDir(const std::string& data_dir) {
    return std::filesystem::path(data_dir) / "keys";
}

}  // namespace

std::string PersonalKeyFilePath(const std::string& data_dir) {
    return (KeysDir(data_dir) / "personal.key").string();
}

Result<std::unique_ptr<PersonalDataCipher>> OpenPersonalKeys(const std::string& data_dir) {
    const std::string dir = KeysDir(data_dir).string();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Unavailable("无法创建密钥目录 " + dir + ": " + ec.message());
    // Only the owner may list or enter the folder, whatever the umask made of it.
    if (::chmod(dir.c_str(), 0700) != 0) {
        return Unavailable("无法设置密钥目录权限 " + dir + ": " + std::strerror(errno));
    }
    return PersonalDataCipher::OpenKeyFile(PersonalKeyFilePath(data_dir));
}

}  // namespace bulwark::auth
