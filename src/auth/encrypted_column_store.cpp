#include "auth/encrypted_column_store.hpp"

namespace bulwark::auth {
namespace {

bool IsIdentifier(const std::string& name) {
    if (name.empty() || name.size() > 63 || (name[0] >= '0' && name[0] <= '9')) return false;
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

Status CheckNames(const EncryptedColumn& c) {
    for (const std::string* name : {&c.table, &c.id_column, &c.column}) {
        if (!IsIdentifier(*name)) {
            return InvalidArgument("加密列的名称须为小写 SQL 标识符: \"" + *name + "\"");
        }
    }
    return Ok();
}

}  // namespace

Result<std::vector<StoredCiphertext>> EncryptedColumnStore::Page(db::Session& s,
                                                                 const EncryptedColumn& c,
                                                                 int64_t after_id, int64_t limit) {
    RETURN_IF_ERROR(CheckNames(c));
    ASSIGN_OR_RETURN(db::Rows rows,
                     s.Query("SELECT " + c.id_column + ", " + c.column + " FROM " + c.table +
                                 " WHERE " + c.id_column + " > ? AND " + c.column +
                                 " IS NOT NULL ORDER BY " + c.id_column + " LIMIT ?",
                             {after_id, limit}));
    std::vector<StoredCiphertext> out;
    out.reserve(rows.size());
    for (const db::Row& row : rows) {
        const db::Value& v = row[1];
        out.push_back({row.Int(0), v.is_blob() ? v.AsBlob().bytes : v.AsText()});
    }
    return out;
}

Result<bool> EncryptedColumnStore::Replace(db::Session& s, const EncryptedColumn& c, int64_t id,
                                           const std::string& expected,
                                           const std::string& replacement) {
    RETURN_IF_ERROR(CheckNames(c));
    ASSIGN_OR_RETURN(int64_t changed,
                     s.Exec("UPDATE " + c.table + " SET " + c.column + " = ? WHERE " + c.id_column +
                                " = ? AND " + c.column + " = ?",
                            {db::Blob{replacement}, id, db::Blob{expected}}));
    return changed == 1;
}

}  // namespace bulwark::auth
