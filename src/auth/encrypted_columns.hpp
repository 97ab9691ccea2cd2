#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "auth/personal_data.hpp"
#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::auth {

// A column that holds PersonalDataCipher::Encrypt output (as BLOB; NULL for none), named so that
// `bulwark keys rotate` can re-encrypt it. `id_column` is the table's integer primary key. All
// three are plain lower-case SQL identifiers written in code, never taken from input; ids are
// positive (ID_PK).
struct EncryptedColumn {
    std::string table;
    std::string id_column;
    std::string column;
};

// Every module's encrypted columns, registered at start by app/ (RegisterEncryptedColumns). Not
// thread-safe; fill it before use.
class EncryptedColumnSet {
public:
    void Add(std::vector<EncryptedColumn> columns);
    const std::vector<EncryptedColumn>& all() const { return all_; }

private:
    std::vector<EncryptedColumn> all_;
};

// What re-encryption did to one column.
struct ReencryptCount {
    EncryptedColumn column;
    int64_t scanned = 0;      // rows with a value
    int64_t reencrypted = 0;  // of those, made with an older key and now with the newest
};

// Re-encrypts, under `cipher`'s newest key, every value of every column of `columns` that an
// older key made (rotation step 2, after PersonalDataCipher::AddKeyToFile). Works through each
// table in id order, `batch_size` rows per write transaction; a row changed meanwhile by someone
// else is left alone. Idempotent: running it again finishes an interrupted run.
// kInvalidArgument for a column whose names are not plain identifiers; kInternal for a value
// that does not decrypt (nothing of that batch is written).
Result<std::vector<ReencryptCount>> ReencryptColumns(db::Database& db,
                                                     const PersonalDataCipher& cipher,
                                                     const EncryptedColumnSet& columns,
                                                     int batch_size = 500);

}  // namespace bulwark::auth
