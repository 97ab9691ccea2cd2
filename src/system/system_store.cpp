#include "system/system_store.hpp"

namespace bulwark::system {
namespace {

ClientError FromRow(const db::Row& row) {
    return ClientError{.id = row.Int(0),
                       .key = row.Text(1),
                       .message = row.Text(2),
                       .page = row.Text(3),
                       .user_agent = row.Text(4),
                       .received_at = row.Int(5)};
}

constexpr const char* kColumns = "id, client_key, message, page, user_agent, received_at";

}  // namespace

std::vector<db::Migration> Migrations() {
    return {{"system", 1, "client errors",
             "CREATE TABLE client_errors ("
             " id ID_PK,"
             " client_key TEXT NOT NULL UNIQUE,"
             " message TEXT NOT NULL,"
             " page TEXT NOT NULL,"
             " user_agent TEXT NOT NULL,"
             " received_at BIGINT NOT NULL)"}};
}

Result<ClientError> SystemStore::RecordClientError(db::Session& s, const ClientError& e) {
    ASSIGN_OR_RETURN(auto inserted,
                     s.QueryOne("INSERT INTO client_errors (client_key, message, page, user_agent, "
                                "received_at) VALUES (?, ?, ?, ?, ?) "
                                "ON CONFLICT (client_key) DO NOTHING "
                                "RETURNING id, client_key, message, page, user_agent, received_at",
                                {e.key, e.message, e.page, e.user_agent, e.received_at}));
    if (inserted) return FromRow(*inserted);
    ASSIGN_OR_RETURN(auto existing,
                     s.QueryOne("SELECT id, client_key, message, page, user_agent, received_at "
                                "FROM client_errors WHERE client_key = ?",
                                {e.key}));
    if (!existing) return Internal("client_errors: key vanished");
    ClientError stored = FromRow(*existing);
    if (stored.message != e.message || stored.page != e.page) {
        return FailedPrecondition("同一个幂等键已用于另一条内容", "key");
    }
    return stored;
}

Result<std::vector<ClientError>> SystemStore::ListClientErrors(db::Session& s, int limit) {
    ASSIGN_OR_RETURN(db::Rows rows, s.Query(std::string("SELECT ") + kColumns +
                                                " FROM client_errors ORDER BY id DESC LIMIT ?",
                                            {limit}));
    std::vector<ClientError> out;
    out.reserve(rows.size());
    for (const db::Row& row : rows) out.push_back(FromRow(row));
    return out;
}

}  // namespace bulwark::system
