#pragma once

#include <memory>
#include <string>

#include "auth/personal_data.hpp"
#include "base/result.hpp"

namespace bulwark::auth {

// Where the personal-data key file lives: <data dir>/keys/personal.key. The same path for the
// server, `bulwark keys rotate` and anything else that needs the keys.
std::string PersonalKeyFilePath(const std::string& data_dir);

// Opens the key file of `data_dir`, creating the folder <data dir>/keys (mode 0700) and the key
// file (mode 0600, fresh random keys) at first start. Fails like PersonalDataCipher::OpenKeyFile
// (kFailedPrecondition for a file that group or others can read).
Result<std::unique_ptr<PersonalDataCipher>> OpenPersonalKeys(const std::string& data_dir);

}  // namespace bulwark::auth
