#include "auth/encrypted_columns.hpp"

#include <algorithm>

#include "auth/encrypted_column_store.hpp"

namespace bulwark::auth {
namespace {

// One batch of one column: re-encrypts what needs it among the rows after `*after_id`, moves
// `*after_id` to the last row seen and adds to `count`. Returns how many rows it saw.
Result<int64_t> ReencryptBatch(db::Session& s, const PersonalDataCipher& cipher,
                               const EncryptedColumn& column, int64_t* after_id, int64_t limit,
                               ReencryptCount* count) {
    ASSIGN_OR_RETURN(std::vector<StoredCiphertext> page,
                     EncryptedColumnStore::Page(s, column, *after_id, limit));
    for (const StoredCiphertext& stored : page) {
        ++count->scanned;
        if (!cipher.NeedsRotation(stored.ciphertext)) continue;
        auto plain = cipher.Decrypt(stored.ciphertext);
        if (!plain.ok()) {
            return Internal(column.table + "." + column.column + " 第 " +
                            std::to_string(stored.id) + " 行无法解密: " + plain.error().message);
        }
        ASSIGN_OR_RETURN(bool replaced,
                         EncryptedColumnStore::Replace(s, column, stored.id, stored.ciphertext,
                                                       cipher.Encrypt(*plain)));
        if (replaced) ++count->reencrypted;
    }
    if (!page.empty()) *after_id = page.back().id;
    return static_cast<int64_t>(page.size());
}

}  // namespace

void EncryptedColumnSet::Add(std::vector<EncryptedColumn> columns) {
    for (auto& c : columns) all_.push_back(std::move(c));
}

Result<std::vector<ReencryptCount>> ReencryptColumns(db::Database& db,
                                                     const PersonalDataCipher& cipher,
                                                     const EncryptedColumnSet& columns,
                                                     int batch_size) {
    const int64_t limit = std::max(1, batch_size);
    std::vector<ReencryptCount> out;
    for (const EncryptedColumn& column : columns.all()) {
        ReencryptCount count{.column = column};
        int64_t after_id = 0;  // ID_PK ids start at 1
        for (;;) {
            ReencryptCount batch{.column = column};
            int64_t next_after = after_id;
            ASSIGN_OR_RETURN(int64_t seen, db.WriteValue([&](db::Session& s) {
                batch.scanned = batch.reencrypted = 0;
                next_after = after_id;
                return ReencryptBatch(s, cipher, column, &next_after, limit, &batch);
            }));
            // Counted only once the batch committed.
            count.scanned += batch.scanned;
            count.reencrypted += batch.reencrypted;
            after_id = next_after;
            if (seen < limit) break;
        }
        out.push_back(std::move(count));
    }
    return out;
}

}  // namespace bulwark::auth
