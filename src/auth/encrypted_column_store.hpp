#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/encrypted_columns.hpp"
#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::auth {

// One stored ciphertext and the id of its row.
struct StoredCiphertext {
    int64_t id = 0;
    std::string ciphertext;
};

// The SQL of key rotation over a registered encrypted column. Stateless; thread-safe. The
// statements name the column's table and columns, which must be plain identifiers
// (kInvalidArgument otherwise).
class EncryptedColumnStore {
public:
    // Rows with id > `after_id` whose value is not NULL, in id order, at most `limit`.
    static Result<std::vector<StoredCiphertext>> Page(db::Session& s, const EncryptedColumn& c,
                                                      int64_t after_id, int64_t limit);
    // Sets the value of row `id` to `replacement` if it still holds `expected`. Returns whether
    // it did.
    static Result<bool> Replace(db::Session& s, const EncryptedColumn& c, int64_t id,
                                const std::string& expected, const std::string& replacement);
};

}  // namespace bulwark::auth
