#include "db/postgres/postgres_database.hpp"

#include "db/write_job.hpp"

#include <pthread.h>

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

namespace bulwark::db {
namespace {

// Type OIDs from PostgreSQL's pg_type.dat; fixed since forever.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

struct ConnDeleter {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using PgConn = std::unique_ptr<PGconn, ConnDeleter>;
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// libpq's message on one line: its line breaks and indents become single spaces.
std::string OneLine(const char* text) {
    std::string out;
    for (const char* p = text ? text : ""; *p; ++p) {
        if (std::isspace(static_cast<unsigned char>(*p))) {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += *p;
        }
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// Maps a failed command to an ErrorCode by its SQLSTATE (or a lost connection), keeping the
// server's message.
Error PgError(PGconn* conn, const PGresult* result, std::string_view what) {
    std::string sqlstate;
    std::string text;
    std::string column;
    if (result) {
        if (const char* s = PQresultErrorField(result, PG_DIAG_SQLSTATE)) sqlstate = s;
        if (const char* s = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) text = s;
        if (const char* s = PQresultErrorField(result, PG_DIAG_COLUMN_NAME)) column = s;
    }
    if (text.empty()) text = OneLine(conn ? PQerrorMessage(conn) : "无连接");
    std::string message = std::string(what) + ": " + text;
    if (!sqlstate.empty()) message += " (SQLSTATE " + sqlstate + ")";

    const bool lost = conn == nullptr || PQstatus(conn) == CONNECTION_BAD;
    // 08: connection, 53: out of resources, 57: shutdown or cancel, 40001/40P01: serialization
    // failure and deadlock. All of them may succeed when tried again.
    if (lost || StartsWith(sqlstate, "08") || StartsWith(sqlstate, "53") ||
        StartsWith(sqlstate, "57") || sqlstate == "40001" || sqlstate == "40P01") {
        return Unavailable(std::move(message));
    }
    if (sqlstate == "23505") return AlreadyExists(std::move(message));
    if (StartsWith(sqlstate, "22") || StartsWith(sqlstate, "23")) {
        return InvalidArgument(std::move(message), std::move(column));
    }
    return Internal(std::move(message));
}

bool IsIdentChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 0;
}

std::string DecodeBytea(const char* text, int length) {
    if (length >= 2 && text[0] == '\\' && text[1] == 'x') {
        std::string out;
        out.resize(static_cast<size_t>(length - 2) / 2);
        for (size_t i = 0; i < out.size(); ++i) {
            out[i] = static_cast<char>(HexDigit(text[2 + 2 * i]) * 16 + HexDigit(text[3 + 2 * i]));
        }
        return out;
    }
    // bytea_output = escape, set by someone on the server.
    size_t n = 0;
    unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &n);
    if (!raw) return {};
    std::string out(reinterpret_cast<const char*>(raw), n);
    PQfreemem(raw);
    return out;
}

double ParseDouble(const char* text, int length) {
    double v = 0;
    std::from_chars(text, text + length, v);
    return v;
}

// One cell of a text-format result, typed as SQLite would type it (see value.hpp).
Value CellValue(Oid type, const char* text, int length) {
    switch (type) {
        case kInt2Oid:
        case kInt4Oid:
        case kInt8Oid:
        case kOidOid: {
            int64_t v = 0;
            std::from_chars(text, text + length, v);
            return Value(static_cast<long long>(v));
        }
        case kBoolOid:
            return Value(static_cast<long long>(length > 0 && text[0] == 't' ? 1 : 0));
        case kFloat4Oid:
        case kFloat8Oid:
            return Value(ParseDouble(text, length));
        case kNumericOid: {
            int64_t v = 0;
            auto [end, ec] = std::from_chars(text, text + length, v);
            if (ec == std::errc() && end == text + length) return Value(static_cast<long long>(v));
            return Value(ParseDouble(text, length));
        }
        case kByteaOid:
            return Value(Blob{DecodeBytea(text, length)});
        default:
            return Value(std::string(text, static_cast<size_t>(length)));
    }
}

Rows ToRows(const PGresult* result) {
    Rows rows;
    const int columns = PQnfields(result);
    const int count = PQntuples(result);
    std::vector<Oid> types(static_cast<size_t>(columns));
    rows.columns.reserve(types.size());
    for (int c = 0; c < columns; ++c) {
        rows.columns.emplace_back(PQfname(result, c));
        types[static_cast<size_t>(c)] = PQftype(result, c);
    }
    rows.rows.reserve(static_cast<size_t>(count));
    for (int r = 0; r < count; ++r) {
        std::vector<Value> cells;
        cells.reserve(types.size());
        for (int c = 0; c < columns; ++c) {
            if (PQgetisnull(result, r, c)) {
                cells.emplace_back();
            } else {
                cells.push_back(CellValue(types[static_cast<size_t>(c)], PQgetvalue(result, r, c),
                                          PQgetlength(result, r, c)));
            }
        }
        rows.rows.emplace_back(std::move(cells));
    }
    return rows;
}

void LogNotice(void*, const char* message) { spdlog::debug("postgres: {}", OneLine(message)); }

struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

bool Succeeded(ExecStatusType status) {
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

// One libpq connection and its prepared statements, keyed by SQL text. Used by one thread at a
// time; not thread-safe.
//
// Pooled connections run in pipeline mode: commands that need no answer before the work goes on
// (BEGIN, RELEASE SAVEPOINT w, SAVEPOINT w) are deferred and sent together with the next
// statement, so a write of one statement costs one round trip. The connection for
// ExecPostgresAutocommit() does not pipeline, since CREATE DATABASE refuses to run in a pipeline.
class Connection {
public:
    // `options`: the connection's server settings ("-c name=value ..."), or null; a URL that
    // sets its own options replaces them.
    Connection(std::string url, bool pipeline, const char* options = nullptr)
        : url_(std::move(url)), pipeline_(pipeline), options_(options) {}

    // (Re)opens the connection, forgetting prepared statements and deferred commands.
    // kUnavailable on failure.
    Status Connect() {
        statements_.clear();
        deferred_.clear();
        begin_.clear();
        // The URL may set its own connect_timeout (it comes later and wins); client_encoding is
        // forced, since every string in Bulwark is UTF-8.
        const char* keys[] = {"connect_timeout", "options", "dbname", "client_encoding", nullptr};
        const char* values[] = {"10", options_ != nullptr ? options_ : "", url_.c_str(), "UTF8",
                                nullptr};
        conn_.reset(PQconnectdbParams(keys, values, 1));
        if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
            std::string message = "无法连接 PostgreSQL " + RedactPostgresUrl(url_) + ": " +
                                  OneLine(conn_ ? PQerrorMessage(conn_.get()) : "内存不足");
            conn_.reset();
            return Unavailable(std::move(message));
        }
        PQsetNoticeProcessor(conn_.get(), LogNotice, nullptr);
        if (pipeline_ && PQenterPipelineMode(conn_.get()) != 1) {
            conn_.reset();
            return Internal("PostgreSQL: 无法进入 pipeline 模式");
        }
        return Ok();
    }

    bool lost() const { return !conn_ || PQstatus(conn_.get()) == CONNECTION_BAD; }
    PGTransactionStatusType transaction_status() const {
        return conn_ ? PQtransactionStatus(conn_.get()) : PQTRANS_UNKNOWN;
    }

    // Starts a transaction with `commands` (BEGIN ..., SAVEPOINT w), sent with the first
    // statement. A connection found lost then is reopened and the transaction started once
    // more: no work has reached the server yet, so that is safe.
    Status Begin(std::initializer_list<const char*> commands) {
        deferred_.clear();
        begin_.clear();
        if (!lost() && transaction_status() != PQTRANS_IDLE) {
            // Left inside a transaction by a failed COMMIT/ROLLBACK: never start work in it.
            (void)Command("ROLLBACK");
            if (transaction_status() != PQTRANS_IDLE) conn_.reset();
        }
        if (lost()) RETURN_IF_ERROR(Connect());
        begin_.assign(commands.begin(), commands.end());
        deferred_ = begin_;
        return Ok();
    }

    // Queues a command (one statement, no parameters) to go out with the next statement or
    // Flush(). Its failure is reported there, and step_error() tells it apart.
    void Defer(const char* command) { deferred_.emplace_back(command); }

    // Runs the deferred commands now.
    Status Flush() {
        if (deferred_.empty()) return Ok();
        auto result = RetryIfLostAtStart([&] { return Exchange({}, nullptr); });
        if (!result.ok()) return std::move(result).error();
        return Ok();
    }

    // Runs parameterless SQL now, after the deferred commands. Without pipeline mode it may
    // hold several statements.
    Status Command(const char* sql) {
        if (!pipeline_) {
            auto result = Simple(sql);
            if (!result.ok()) return std::move(result).error();
            return Ok();
        }
        Defer(sql);
        return Flush();
    }

    // The failure of a deferred command in the last exchange (rather than of its statement).
    const std::optional<Error>& step_error() const { return step_error_; }

    // One statement with its parameters, as RunAll takes them.
    struct Ref {
        std::string_view sql;
        const Params* params = nullptr;
    };

    // Runs one statement with `?` placeholders through the prepared-statement cache.
    Result<PgResult> Run(std::string_view sql, const Params& params) {
        const Ref ref{sql, &params};
        ASSIGN_OR_RETURN(std::vector<PgResult> results, RunAll({&ref, 1}));
        return std::move(results.front());
    }

    // Runs statements through the prepared-statement cache, sent together with one Sync: one
    // round trip for all of them. Each result, or the first failure.
    Result<std::vector<PgResult>> RunAll(std::span<const Ref> statements) {
        return RetryIfLostAtStart([&] { return RunAllOnce(statements); });
    }

private:
    // A prepared statement, or (empty name) parameterless SQL of several statements, which runs
    // with the simple protocol outside the pipeline.
    struct Statement {
        std::string name;
        std::string text;
        int params = 0;
        std::vector<Oid> types;
        // The cache key: the text, and where blob parameters are (see Bind).
        std::string key;
    };

    // One execution of a prepared statement, ready to send: `prepare` when the server does not
    // know the statement yet, and the parameters as libpq takes them (pointing into `numbers`
    // and the caller's Params, so a Bound is never moved once filled).
    struct Bound {
        const Statement* statement = nullptr;
        const Statement* prepare = nullptr;
        std::vector<const char*> values;
        std::vector<int> lengths;
        std::vector<int> formats;
        std::vector<std::string> numbers;
    };
    using StatementMap = std::unordered_map<std::string, Statement, StringHash, std::equal_to<>>;

    // Runs `run` (one exchange); when it is the transaction's first and finds the connection
    // lost, reconnects and runs it once more with the same commands.
    template <class F>
    auto RetryIfLostAtStart(F&& run) -> decltype(run()) {
        std::vector<std::string> sent;
        if (!begin_.empty()) sent = deferred_;
        auto result = run();
        if (result.ok() || begin_.empty() || !lost()) {
            begin_.clear();
            return result;
        }
        spdlog::info("PostgreSQL connection lost, reconnecting: {}", result.error().message);
        if (Status s = Connect(); !s.ok()) return std::move(s).error();
        deferred_ = std::move(sent);
        auto again = run();
        return again;
    }

    Result<std::vector<PgResult>> RunAllOnce(std::span<const Ref> statements) {
        if (lost()) return Unavailable("PostgreSQL 连接已断开");
        // Statements new to this connection; the same text twice in one exchange is prepared
        // once.
        StatementMap fresh;
        std::vector<Bound> bound(statements.size());
        for (size_t i = 0; i < statements.size(); ++i) {
            RETURN_IF_ERROR(Bind(statements[i], &fresh, &bound[i]));
        }
        for (const Bound& b : bound) {
            if (!b.statement->name.empty()) continue;
            if (bound.size() != 1) return InvalidArgument("成批执行的 SQL 每次只能有一条语句");
            const std::string text = b.statement->text;
            ASSIGN_OR_RETURN(PgResult result, SimpleOutsidePipeline(text.c_str()));
            std::vector<PgResult> out;
            out.push_back(std::move(result));
            return out;
        }
        std::vector<const Statement*> prepared;
        Result<std::vector<PgResult>> results = Exchange(bound, &prepared);
        // Whatever the server prepared stays prepared, even when a later statement failed.
        for (const Statement* p : prepared) {
            auto node = fresh.extract(p->key);
            if (!node.empty()) statements_.insert(std::move(node));
        }
        return results;
    }

    // Finds or makes the prepared statement for `ref` and converts its parameters.
    Status Bind(const Ref& ref, StatementMap* fresh, Bound* out) {
        const std::string_view sql = ref.sql;
        const Params& params = *ref.params;
        // A blob parameter is sent as binary bytea, anything else as text whose type the server
        // infers from where it is used. Types belong to the prepared statement, so a statement
        // that gets blobs is keyed by its text and where the blobs are.
        bool any_blob = false;
        for (const Value& p : params) any_blob = any_blob || p.is_blob();
        std::string typed_key;
        if (any_blob) {
            typed_key.assign(sql);
            typed_key += '\0';
            for (const Value& p : params) typed_key += p.is_blob() ? 'b' : '-';
        }
        std::string_view key = any_blob ? std::string_view(typed_key) : sql;

        const Statement* statement = nullptr;
        if (auto it = statements_.find(key); it != statements_.end()) {
            statement = &it->second;
        } else if (auto f = fresh->find(key); f != fresh->end()) {
            statement = &f->second;
        } else {
            ASSIGN_OR_RETURN(Statement made, NewStatement(sql, params));
            made.key.assign(key);
            if (made.name.empty()) {
                // Simple protocol: nothing to prepare on the server.
                statement = &statements_.emplace(std::string(key), std::move(made)).first->second;
            } else {
                statement = &fresh->emplace(std::string(key), std::move(made)).first->second;
                out->prepare = statement;
            }
        }
        if (statement->params != static_cast<int>(params.size())) {
            return InvalidArgument("SQL 参数个数不符: 需要 " + std::to_string(statement->params) +
                                   " 个, 给了 " + std::to_string(params.size()));
        }
        out->statement = statement;

        const size_t n = params.size();
        out->values.assign(n, nullptr);
        out->lengths.assign(n, 0);
        out->formats.assign(n, 0);
        out->numbers.resize(n);
        for (size_t i = 0; i < n; ++i) {
            const Value::Variant& v = params[i].variant();
            switch (v.index()) {
                case 0:
                    break;
                case 1:
                    out->numbers[i] = std::to_string(std::get<1>(v));
                    out->values[i] = out->numbers[i].c_str();
                    break;
                case 2: {
                    // Shortest text that reads back as the same double.
                    char buf[32];
                    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::get<2>(v));
                    out->numbers[i].assign(buf, end);
                    out->values[i] = out->numbers[i].c_str();
                    break;
                }
                case 3: {
                    const std::string& s = std::get<3>(v);
                    if (std::memchr(s.data(), '\0', s.size())) {
                        return InvalidArgument("文本参数 " + std::to_string(i + 1) +
                                               " 含 NUL 字节: 二进制数据请用 Blob");
                    }
                    out->values[i] = s.c_str();
                    break;
                }
                case 4: {
                    const std::string& b = std::get<4>(v).bytes;
                    out->values[i] = b.data();
                    out->lengths[i] = static_cast<int>(b.size());
                    out->formats[i] = 1;
                    break;
                }
            }
        }
        return Ok();
    }

    Result<Statement> NewStatement(std::string_view sql, const Params& params) {
        PostgresSql rewritten = RewritePlaceholders(sql);
        if (rewritten.params != static_cast<int>(params.size())) {
            return InvalidArgument("SQL 参数个数不符: 需要 " + std::to_string(rewritten.params) +
                                   " 个, 给了 " + std::to_string(params.size()));
        }
        Statement statement;
        statement.params = rewritten.params;
        statement.text = std::move(rewritten.text);
        if (rewritten.statements > 1) {
            if (!params.empty()) return InvalidArgument("带参数的 SQL 只能有一条语句");
            return statement;
        }
        statement.name = "b" + std::to_string(++prepared_);
        statement.types.assign(params.size(), 0);
        for (size_t i = 0; i < params.size(); ++i) {
            if (params[i].is_blob()) statement.types[i] = kByteaOid;
        }
        return statement;
    }

    // Pipeline mode: sends the deferred commands and `calls` (each: prepare if new, execute)
    // followed by one Sync, and reads every result back. Returns each call's result, or the
    // first failure; the server skips everything after a failure up to the Sync. `prepared`
    // gets the statements the server prepared in this exchange.
    Result<std::vector<PgResult>> Exchange(std::span<const Bound> calls,
                                           std::vector<const Statement*>* prepared) {
        if (lost()) return Unavailable("PostgreSQL 连接已断开");
        PGconn* c = conn_.get();
        std::vector<std::string> commands = std::move(deferred_);
        deferred_.clear();
        step_error_.reset();

        bool sent = true;
        for (const std::string& command : commands) {
            sent = sent && PQsendQueryParams(c, command.c_str(), 0, nullptr, nullptr, nullptr,
                                             nullptr, 0) == 1;
        }
        size_t ops = commands.size();
        // The statement each operation prepares (null: none), and which executes each call.
        std::vector<const Statement*> preparing;
        std::vector<size_t> executes;
        preparing.reserve(ops + calls.size() * 2);
        preparing.assign(ops, nullptr);
        executes.reserve(calls.size());
        for (const Bound& call : calls) {
            if (call.prepare) {
                preparing.push_back(call.prepare);
                ++ops;
                sent =
                    sent && PQsendPrepare(c, call.prepare->name.c_str(), call.prepare->text.c_str(),
                                          call.prepare->params, call.prepare->types.data()) == 1;
            }
            preparing.push_back(nullptr);
            executes.push_back(ops++);
            sent = sent &&
                   PQsendQueryPrepared(c, call.statement->name.c_str(),
                                       static_cast<int>(call.values.size()), call.values.data(),
                                       call.lengths.data(), call.formats.data(), 0) == 1;
        }
        sent = sent && PQpipelineSync(c) == 1;
        if (!sent) {
            // The pipeline is in an unknown state: start over on a new connection next time.
            Error error = PgError(c, nullptr, "发送失败");
            conn_.reset();
            return Unavailable(std::move(error.message));
        }

        // Each operation yields its results and then a null; the Sync yields PIPELINE_SYNC.
        std::vector<PgResult> results(ops);
        std::optional<Error> failure;
        size_t op = 0;
        for (;;) {
            PgResult result(PQgetResult(c));
            if (!result) {
                if (PQstatus(c) == CONNECTION_BAD || ++op > ops) {
                    if (!failure || PQstatus(c) == CONNECTION_BAD) {
                        failure = PgError(c, nullptr, "读取结果失败");
                        if (op < commands.size()) step_error_ = failure;
                    }
                    if (PQstatus(c) != CONNECTION_BAD) {
                        spdlog::warn("PostgreSQL pipeline out of step; reconnecting");
                        conn_.reset();
                    }
                    break;
                }
                continue;
            }
            ExecStatusType status = PQresultStatus(result.get());
            if (status == PGRES_PIPELINE_SYNC) break;
            if (status == PGRES_PIPELINE_ABORTED || op >= ops) continue;
            if (!Succeeded(status) && !failure) {
                failure = PgError(c, result.get(),
                                  preparing[op] != nullptr ? "SQL 准备失败" : "SQL 执行失败");
                if (op < commands.size()) step_error_ = failure;
            }
            results[op] = std::move(result);
        }
        for (size_t i = 0; i < ops && prepared; ++i) {
            if (preparing[i] != nullptr && results[i] &&
                Succeeded(PQresultStatus(results[i].get()))) {
                prepared->push_back(preparing[i]);
            }
        }
        if (failure) return std::move(*failure);
        std::vector<PgResult> out;
        out.reserve(executes.size());
        for (size_t e : executes) {
            if (!results[e]) return Internal("PostgreSQL: 没有结果");
            out.push_back(std::move(results[e]));
        }
        return out;
    }

    // Several statements in one string run with the simple protocol, which pipeline mode does
    // not allow: the pipeline is emptied and left for the time being.
    Result<PgResult> SimpleOutsidePipeline(const char* sql) {
        if (!pipeline_) return Simple(sql);
        RETURN_IF_ERROR(Flush());
        if (PQexitPipelineMode(conn_.get()) != 1)
            return Internal("PostgreSQL: 无法离开 pipeline 模式");
        Result<PgResult> result = Simple(sql);
        if (!lost() && PQenterPipelineMode(conn_.get()) != 1) conn_.reset();
        return result;
    }

    Result<PgResult> Simple(const char* sql) {
        if (lost()) return Unavailable("PostgreSQL 连接已断开");
        PgResult result(PQexec(conn_.get(), sql));
        if (!result || !Succeeded(PQresultStatus(result.get()))) {
            return PgError(conn_.get(), result.get(), "SQL 执行失败");
        }
        return result;
    }

    std::string url_;
    const bool pipeline_;
    const char* const options_;
    PgConn conn_;
    std::unordered_map<std::string, Statement, StringHash, std::equal_to<>> statements_;
    int64_t prepared_ = 0;
    std::vector<std::string> deferred_;
    // The commands that start the current transaction, until the server has answered them.
    std::vector<std::string> begin_;
    std::optional<Error> step_error_;
};

// The Session handed to work: statements on one connection inside its transaction.
class PgSession final : public Session {
public:
    PgSession(Connection& conn, int slot) : conn_(conn), slot_(slot) {}

    Result<Rows> Query(std::string_view sql, const Params& params) override {
        ASSIGN_OR_RETURN(PgResult result, Run(sql, params));
        return ToRows(result.get());
    }

    Result<int64_t> Exec(std::string_view sql, const Params& params) override {
        ASSIGN_OR_RETURN(PgResult result, Run(sql, params));
        return Changed(result.get());
    }

    Result<std::vector<Outcome>> RunAll(std::span<const Statement> statements) override {
        RETURN_IF_ERROR(NotAborted());
        std::vector<Connection::Ref> refs;
        refs.reserve(statements.size());
        for (const Statement& statement : statements) {
            refs.push_back({statement.sql, &statement.params});
        }
        ASSIGN_OR_RETURN(std::vector<PgResult> results, Noted(conn_.RunAll(refs)));
        std::vector<Outcome> out(results.size());
        for (size_t i = 0; i < results.size(); ++i) {
            out[i].rows = ToRows(results[i].get());
            out[i].changed = Changed(results[i].get());
        }
        return out;
    }

    Dialect dialect() const override { return Dialect::kPostgres; }
    int connection_slot() const override { return slot_; }

    // `status` of the work, or the error that aborted the transaction when the work ignored it.
    Status Settled(Status status) const {
        if (status.ok() && aborted_) return *aborted_;
        return status;
    }

private:
    static int64_t Changed(const PGresult* result) {
        const char* text = PQcmdTuples(const_cast<PGresult*>(result));
        int64_t changed = 0;
        std::from_chars(text, text + std::strlen(text), changed);
        return changed;
    }

    Status NotAborted() const {
        if (!aborted_) return Ok();
        return Error(aborted_->code, "事务已因前面的错误中止: " + aborted_->message,
                     aborted_->field);
    }

    // `result`, remembering a failure that aborted the transaction. Errors found before
    // sending (a wrong parameter count) leave the transaction usable.
    template <class T>
    Result<T> Noted(Result<T> result) {
        const PGTransactionStatusType status = conn_.transaction_status();
        if (!result.ok() && (status == PQTRANS_INERROR || status == PQTRANS_UNKNOWN)) {
            aborted_ = result.error();
        }
        return result;
    }

    Result<PgResult> Run(std::string_view sql, const Params& params) {
        RETURN_IF_ERROR(NotAborted());
        return Noted(conn_.Run(sql, params));
    }

    Connection& conn_;
    const int slot_;
    std::optional<Error> aborted_;
};

// Runs `work`, turning an escaped exception into kInternal: the boundary between the database's
// threads and code it does not own.
Status RunGuarded(const Database::Work& work, Session& session) {
    try {
        return work(session);
    } catch (const std::exception& e) {
        spdlog::error("database work threw: {}", e.what());
        return Internal(std::string("内部错误: ") + e.what());
    }
}

class PostgresDatabase final : public Database {
public:
    explicit PostgresDatabase(Options options) : options_(std::move(options)) {}
    ~PostgresDatabase() override { Close(); }

    Status Init() {
        for (int i = 0; i < std::max(1, options_.readers); ++i) {
            auto conn = std::make_unique<Connection>(options_.url, true);
            RETURN_IF_ERROR(conn->Connect());
            idle_readers_.push_back(std::move(conn));
        }
        readers_ = idle_readers_.size();
        for (int i = 0; i < std::max(1, options_.writers); ++i) {
            // Writes look rows up by key, where a plan made once serves every value as well as
            // one made for the values. PostgreSQL would plan each prepared statement for its
            // values on at least its first five runs, and a group commit's multi-row statements
            // have a text, so a prepared statement, per group size. Always generic: PostgreSQL's
            // CPU per scan fell from 282-359 µs to 243-270 µs (bench/README.md).
            // And never a sequential scan where an index serves: a generic plan lives as long as
            // its connection (until the table is next analyzed), and one made while a table was
            // small (the tubes and stored answers of a new round, minutes after the start) would
            // read the whole table on every run as it grows. With no index, a scan it is still,
            // and costed so high that PostgreSQL would compile it (JIT) on every run: jit off.
            auto conn = std::make_unique<Connection>(
                options_.url, true,
                "-c plan_cache_mode=force_generic_plan -c enable_seqscan=off -c jit=off");
            RETURN_IF_ERROR(conn->Connect());
            writers_.push_back(std::move(conn));
        }
        for (size_t i = 0; i < writers_.size(); ++i) {
            slots_.push_back(ClaimSlot(*writers_[i], static_cast<int>(i)));
        }
        for (size_t slot = 0; slot < writers_.size(); ++slot) {
            writer_threads_.emplace_back([this, slot] { WriterLoop(static_cast<int>(slot)); });
        }
        return Ok();
    }

    Status Read(const Work& work) override {
        std::unique_ptr<Connection> conn;
        {
            std::unique_lock lock(readers_mu_);
            readers_cv_.wait(lock, [&] { return readers_closed_ || !idle_readers_.empty(); });
            if (readers_closed_) return Unavailable("数据库已关闭");
            conn = std::move(idle_readers_.back());
            idle_readers_.pop_back();
        }
        Status status = ReadOn(*conn, work);
        bool closing = false;
        {
            std::lock_guard lock(readers_mu_);
            idle_readers_.push_back(std::move(conn));
            closing = readers_closed_;
        }
        if (closing) {
            readers_cv_.notify_all();
        } else {
            readers_cv_.notify_one();
        }
        return status;
    }

    Status Write(const Work& work) override { return queue_.Write(work); }

    void WriteAsync(Work work, Done done, const WriteGroup* group,
                    std::shared_ptr<GroupedWrite> write) override {
        queue_.WriteAsync(std::move(work), std::move(done), group, std::move(write));
    }

    Dialect dialect() const override { return Dialect::kPostgres; }

    Status Backup(const std::string& path) override {
        return FailedPrecondition(
            "PostgreSQL 数据库请用 pg_dump 备份: pg_dump --format=custom --file=" + path + " \"" +
            RedactPostgresUrl(options_.url) + "\"");
    }

    void Close() override {
        if (!queue_.Close()) return;
        // Writers finish what is queued, then stop.
        for (std::thread& t : writer_threads_) {
            if (t.joinable()) t.join();
        }
        writers_.clear();
        std::unique_lock lock(readers_mu_);
        readers_closed_ = true;
        readers_cv_.notify_all();
        readers_cv_.wait(lock, [&] { return idle_readers_.size() == readers_; });
        idle_readers_.clear();
    }

private:
    using Job = internal::WriteJob;

    Status ReadOn(Connection& conn, const Work& work) {
        RETURN_IF_ERROR(conn.Begin({"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"}));
        PgSession session(conn, 0);
        Status status = session.Settled(RunGuarded(work, session));
        Status end = conn.Command(status.ok() ? "COMMIT" : "ROLLBACK");
        if (status.ok() && !end.ok()) return end;
        return status;
    }

    // The number a writer's transactions carry (Session::connection_slot): the audit chain they
    // append to and, with the process's base, their live-figure counter shard. Servers sharing
    // the database would all use 0..writers-1, and each writer would wait for the row lock of
    // the same audit chain held by another server's writer until that one committed (two
    // servers under scans: most sampled backends waited there). So each writer connection
    // claims the first number no live connection holds, with a session advisory lock kept
    // while it lives; a server that stops frees its numbers for the next one. Only speed
    // depends on it: the chain's compare-and-set and the counters' upserts stay right when two
    // writers share a number (a reconnect lost the lock, or all kMaxSlots are taken).
    static int ClaimSlot(Connection& conn, int fallback) {
        constexpr int kSlotLockClass = 0x42554c57;  // "BULW"
        constexpr int kMaxSlots = 256;              // SamplingService's shards: base * 256 + slot
        for (int n = 0; n < kMaxSlots; ++n) {
            auto claimed = conn.Run("SELECT pg_try_advisory_lock(?, ?)", {kSlotLockClass, n});
            if (!claimed.ok()) {
                spdlog::warn("PostgreSQL: writer number not claimed: {}", claimed.error().message);
                return fallback;
            }
            if (PQntuples(claimed->get()) == 1 &&
                std::string_view(PQgetvalue(claimed->get(), 0, 0)) == "t") {
                return n;
            }
        }
        spdlog::warn("PostgreSQL: all {} writer numbers are taken; sharing {}", kMaxSlots,
                     fallback);
        return fallback;
    }

    // Writer `slot` commits batches on writers_[slot], one after another. Slot 0 takes writes
    // as they come; the others are standbys, which take a batch only from a backlog
    // (Options::standby_backlog).
    void WriterLoop(int slot) {
        pthread_setname_np(pthread_self(), "pg-writer");
        Connection& conn = *writers_[static_cast<size_t>(slot)];
        // Each write in a batch is a subtransaction. Past 64 of them in one transaction
        // (PGPROC_MAX_CACHED_SUBXIDS) every other session's snapshot "overflows" and has to look
        // up pg_subtrans, which slows the whole server; so a batch stops at 64 here.
        const size_t max_batch = static_cast<size_t>(std::clamp(options_.max_batch, 1, 64));
        std::vector<Job*> batch;
        for (;;) {
            const bool more =
                slot == 0 || options_.standby_backlog <= 0
                    ? queue_.Take(batch, max_batch)
                    : queue_.TakeBacklog(batch, max_batch,
                                         static_cast<size_t>(options_.standby_backlog));
            if (!more) return;
            internal::GatherGroups(batch);
            CommitBatch(conn, slot, batch);
            batch.clear();
        }
    }

    // One transaction for the whole batch, a savepoint per write. The commands between two
    // writes (RELEASE SAVEPOINT w, SAVEPOINT w, or ROLLBACK TO SAVEPOINT w) go out with the next
    // write's first statement; a batch of one needs no savepoint.
    void CommitBatch(Connection& conn, int slot, const std::vector<Job*>& batch) {
        const size_t n = batch.size();
        const bool alone = n == 1;
        Status begin = alone ? conn.Begin({"BEGIN"}) : conn.Begin({"BEGIN", "SAVEPOINT w"});
        if (!begin.ok()) {
            for (Job* job : batch) job->Finish(begin);
            return;
        }
        std::vector<Status> results(n);
        // A unit is a write alone, or a run of writes its group applies together (in one
        // savepoint). A group that fails is rolled back and its writes run one by one.
        size_t alone_until = 0;
        for (size_t i = 0; i < n;) {
            const size_t end = i < alone_until ? i + 1 : internal::UnitEnd(batch, i, 64);
            PgSession session(conn, slots_[static_cast<size_t>(slot)]);
            Status status =
                end - i == 1
                    ? RunGuarded(batch[i]->work(), session)
                    : RunGuarded([&](Session& s) { return internal::ApplyUnit(batch, i, end, s); },
                                 session);
            status = session.Settled(std::move(status));
            if (conn.step_error()) {
                // What went out before this unit's first statement failed: the transaction
                // is gone, and this unit failed for that reason only.
                Error cause = *conn.step_error();
                FailBatch(conn, batch, results, i, false, std::move(cause));
                return;
            }
            const bool ok = status.ok();
            if (end - i > 1 && !ok) {
                conn.Defer("ROLLBACK TO SAVEPOINT w");
                alone_until = end;
                continue;
            }
            for (size_t k = i; k < end; ++k) results[k] = status;
            const size_t last = end - 1;
            i = end;
            if (end < n) {
                if (ok) {
                    conn.Defer("RELEASE SAVEPOINT w");
                    conn.Defer("SAVEPOINT w");
                } else {
                    conn.Defer("ROLLBACK TO SAVEPOINT w");
                }
            } else if (alone && !ok) {
                (void)conn.Command("ROLLBACK");
            } else {
                if (!ok) conn.Defer("ROLLBACK TO SAVEPOINT w");
                Status commit = conn.Command("COMMIT");
                if (!commit.ok()) {
                    FailBatch(conn, batch, results, last, true, std::move(commit).error());
                    return;
                }
            }
        }
        for (size_t i = 0; i < n; ++i) batch[i]->Finish(std::move(results[i]));
    }

    // The batch's transaction failed after write `failed_at` ran: what ran is lost (or, when the
    // COMMIT itself failed on a lost connection, in an unknown state); writes that have not run
    // go back to the queue.
    void FailBatch(Connection& conn, const std::vector<Job*>& batch, std::vector<Status>& results,
                   size_t failed_at, bool committing, Error cause) {
        spdlog::error("PostgreSQL group commit of {} writes failed: {}", batch.size(),
                      cause.message);
        Error error = cause.code == ErrorCode::kUnavailable
                          ? Unavailable((committing ? "提交时连接中断, 写入结果未知: "
                                                    : "连接中断, 写入未提交: ") +
                                        cause.message)
                          : Internal("提交失败, 写入未保存: " + cause.message);
        if (!conn.lost()) (void)conn.Command("ROLLBACK");
        for (size_t i = 0; i <= failed_at; ++i) {
            batch[i]->Finish(results[i].ok() ? Status(error) : std::move(results[i]));
        }
        if (failed_at + 1 < batch.size()) {
            queue_.PutBack(batch.begin() + static_cast<long>(failed_at + 1), batch.end());
        }
    }

    Options options_;

    internal::WriteQueue queue_;
    std::vector<std::unique_ptr<Connection>> writers_;
    std::vector<int> slots_;  // the number each writer claimed (ClaimSlot)
    std::vector<std::thread> writer_threads_;

    std::mutex readers_mu_;
    std::condition_variable readers_cv_;
    std::vector<std::unique_ptr<Connection>> idle_readers_;
    size_t readers_ = 0;
    bool readers_closed_ = false;
};

}  // namespace

PostgresSql RewritePlaceholders(std::string_view sql) {
    PostgresSql out;
    out.text.reserve(sql.size() + 16);
    const size_t n = sql.size();
    size_t i = 0;
    bool content = false;  // the current statement has more than blanks and comments
    auto copy_to = [&](size_t end) {
        end = std::min(end, n);
        out.text.append(sql.substr(i, end - i));
        i = end;
    };
    while (i < n) {
        const char c = sql[i];
        const char next = i + 1 < n ? sql[i + 1] : '\0';
        if (c == '-' && next == '-') {
            copy_to(sql.find('\n', i));
            continue;
        }
        if (c == '/' && next == '*') {
            size_t j = i + 2;
            for (int depth = 1; j < n && depth > 0;) {
                if (sql[j] == '/' && j + 1 < n && sql[j + 1] == '*') {
                    ++depth;
                    j += 2;
                } else if (sql[j] == '*' && j + 1 < n && sql[j + 1] == '/') {
                    --depth;
                    j += 2;
                } else {
                    ++j;
                }
            }
            copy_to(j);
            continue;
        }
        if (c == ';') {
            if (content) ++out.statements;
            content = false;
            out.text += c;
            ++i;
            continue;
        }
        if (!std::isspace(static_cast<unsigned char>(c))) content = true;
        if (c == '\'') {
            // E'...' strings take backslash escapes; standard strings only double the quote.
            const bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                                 (i < 2 || !IsIdentChar(sql[i - 2]));
            size_t j = i + 1;
            while (j < n) {
                if (escapes && sql[j] == '\\') {
                    j += 2;
                } else if (sql[j] == '\'') {
                    if (j + 1 < n && sql[j + 1] == '\'') {
                        j += 2;
                    } else {
                        ++j;
                        break;
                    }
                } else {
                    ++j;
                }
            }
            copy_to(j);
            continue;
        }
        if (c == '"') {
            size_t end = sql.find('"', i + 1);
            copy_to(end == std::string_view::npos ? n : end + 1);
            continue;
        }
        if (c == '$' && (i == 0 || !IsIdentChar(sql[i - 1]))) {
            // $$...$$ or $tag$...$tag$ (a tag does not start with a digit: $1 is a parameter).
            size_t j = i + 1;
            if (j < n && !std::isdigit(static_cast<unsigned char>(sql[j]))) {
                while (j < n && sql[j] != '$' && IsIdentChar(sql[j])) ++j;
            }
            if (j < n && sql[j] == '$') {
                std::string_view tag = sql.substr(i, j - i + 1);
                size_t end = sql.find(tag, j + 1);
                copy_to(end == std::string_view::npos ? n : end + tag.size());
                continue;
            }
        }
        if (c == '?') {
            out.text += '$';
            out.text += std::to_string(++out.params);
            ++i;
            continue;
        }
        out.text += c;
        ++i;
    }
    if (content) ++out.statements;
    return out;
}

std::string RedactPostgresUrl(std::string_view url) {
    const size_t scheme = url.find("://");
    if (scheme == std::string_view::npos) return std::string(url);
    const size_t host = scheme + 3;
    const size_t authority_end = std::min(url.find_first_of("/?", host), url.size());
    std::string_view authority = url.substr(host, authority_end - host);
    std::string out(url.substr(0, host));
    const size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        std::string_view user = authority.substr(0, at);
        out += user.substr(0, user.find(':'));
        out += authority.substr(at);
    } else {
        out += authority;
    }
    const size_t query = std::min(url.find('?', host), url.size());
    out += url.substr(authority_end, query - authority_end);
    if (query < url.size()) {
        std::string kept;
        std::string_view rest = url.substr(query + 1);
        while (!rest.empty()) {
            const size_t amp = std::min(rest.find('&'), rest.size());
            std::string_view param = rest.substr(0, amp);
            if (!StartsWith(param, "password=") && param != "password") {
                if (!kept.empty()) kept += '&';
                kept += param;
            }
            rest.remove_prefix(std::min(amp + 1, rest.size()));
        }
        if (!kept.empty()) out += "?" + kept;
    }
    return out;
}

Result<std::unique_ptr<Database>> OpenPostgres(const Options& options) {
    auto db = std::make_unique<PostgresDatabase>(options);
    RETURN_IF_ERROR(db->Init());
    return std::unique_ptr<Database>(std::move(db));
}

Status ExecPostgresAutocommit(const std::string& url, std::string_view sql) {
    Connection conn(url, false);
    RETURN_IF_ERROR(conn.Connect());
    return conn.Command(std::string(sql).c_str());
}

}  // namespace bulwark::db
