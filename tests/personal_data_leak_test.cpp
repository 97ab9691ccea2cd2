// Personal data does not leak: no GET answer carries a full ID number or phone, and neither the
// database (its file, its WAL, a backup; on PostgreSQL the raw columns) nor the server's log
// holds the seeded ID numbers and phones in plaintext.
#include <gtest/gtest.h>

#include <string.h>

#include <cctype>
#include <cstdint>
#include <fstream>
#include <iterator>

#include "tests/security_routes.hpp"
#include "tests/security_test_environment.hpp"

namespace bulwark::securitytest {
namespace {

using testsupport::HttpResult;
using testsupport::SeededPerson;

// Words that look like a full ID number (17 digits and a digit or X) or a mobile phone (11
// digits starting 1[3-9]). A word is a run of letters and digits, so digits inside a token
// (hex, base64) do not count, nor do timestamps (13 digits) or masked values
// (990001********0013, 199****1234).
std::vector<std::string> FullIdsAndPhones(const std::string& text) {
    auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    std::vector<std::string> found;
    size_t i = 0;
    while (i < text.size()) {
        if (!alnum(text[i])) {
            ++i;
            continue;
        }
        size_t end = i;
        while (end < text.size() && alnum(text[end])) ++end;
        const std::string word = text.substr(i, end - i);
        i = end;
        size_t digits = 0;
        while (digits < word.size() && std::isdigit(static_cast<unsigned char>(word[digits]))) {
            ++digits;
        }
        const bool id = (word.size() == 18 && digits == 18) ||
                        (word.size() == 18 && digits == 17 && (word[17] == 'X' || word[17] == 'x'));
        const bool phone =
            word.size() == 11 && digits == 11 && word[0] == '1' && word[1] >= '3' && word[1] <= '9';
        if (id || phone) found.push_back(word);
    }
    return found;
}

// The byte patterns of a value (an ID number or a phone) that must not be stored: its text,
// the 17 digits of an ID number, and the digits as an 8-byte big-endian integer (how SQLite
// stores an INTEGER in a record).
std::vector<std::pair<std::string, std::string>> Needles(const std::string& value) {
    std::vector<std::pair<std::string, std::string>> out = {{value, value}};
    const std::string digits = value.size() == 18 ? value.substr(0, 17) : value;
    if (digits != value) out.emplace_back(digits, "the ID digits " + digits);
    uint64_t v = std::stoull(digits);
    std::string b(8, '\0');
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (56 - 8 * i));
    out.emplace_back(b, value + " as an integer");
    return out;
}

std::string FileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class PersonalDataLeakTest : public WorldTest {
protected:
    // Sends what makes the server handle every seeded value: searches by the full ID number
    // and phone, and an unmask of each in-scope person. So the log, the audit log and the
    // database have had every chance to keep them.
    void UseEveryValue() {
        auto& staff = world().As("staff");
        for (const SeededPerson& p : world().people()) {
            for (const std::string& q : {p.doc_number, p.phone}) {
                HttpResult r = staff.Get("/api/v1/residents?q=" + q);
                ASSERT_EQ(r.status, 200) << r.body;
                for (const std::string& hit : FullIdsAndPhones(r.body)) {
                    ADD_FAILURE() << "a search for " << q << " answered " << hit;
                }
            }
            if (!p.in_scope) continue;
            HttpResult shown = staff.PostJson("/api/v1/residents/" + p.id + "/unmask",
                                              R"({"reason":"泄露测试核对"})");
            ASSERT_EQ(shown.status, 200) << shown.body;
            ASSERT_NE(shown.body.find(p.doc_number), std::string::npos) << shown.body;
        }
    }

    // Fails once for each needle of every ID number and phone the tests made (seeded, created
    // by the matrix, imported) found in `bytes`, naming `where`.
    void ExpectNone(const std::string& bytes, const std::string& where) {
        ASSERT_FALSE(world().minted().empty());
        for (const std::string& value : world().minted()) {
            for (const auto& [needle, what] : Needles(value)) {
                // memmem: megabytes times hundreds of needles, which std::search under ASan
                // takes most of a minute over.
                EXPECT_EQ(::memmem(bytes.data(), bytes.size(), needle.data(), needle.size()),
                          nullptr)
                    << what << " in " << where;
            }
        }
    }
};

TEST_P(PersonalDataLeakTest, NoGetAnswerCarriesAFullIdNumberOrPhone) {
    UseEveryValue();
    std::string error;
    std::vector<DeclaredRoute> routes = DeclaredRoutes(world(), &error);
    ASSERT_FALSE(routes.empty()) << error;
    int answers = 0;
    // The scanner first: scanning only, masked names. Then every other role, which sees masked
    // values too: the full ones come only from POST (unmask, unmasked export).
    for (const std::string& role : testsupport::SecurityRoles()) {
        for (const DeclaredRoute& route : routes) {
            const RouteCase* c = FindRouteCase(route.key());
            if (route.method != "GET" || c == nullptr) continue;
            for (Variant v : {Variant::kIn, Variant::kOut, Variant::kMissing}) {
                CallContext ctx(world(), role, v);
                Call call = BuildCall(route, *c, ctx);
                HttpResult r = world().As(role).Send("GET", call.target, "");
                ++answers;
                for (const std::string& hit : FullIdsAndPhones(r.body)) {
                    ADD_FAILURE() << "GET " << call.target << " as " << role << " ("
                                  << VariantName(v) << ") answered a full value: " << hit;
                }
                for (const std::string& value : world().minted()) {
                    EXPECT_EQ(r.body.find(value), std::string::npos)
                        << call.target << " as " << role << " answered " << value;
                }
                if (!ctx.named_object()) break;
            }
        }
    }
    EXPECT_GT(answers, 30);
}

// SQLite: the database file, its WAL and a backup made while the server runs.
TEST_P(PersonalDataLeakTest, DatabaseFilesAndBackupHoldNoPlaintext) {
    if (GetParam() != "sqlite") GTEST_SKIP() << "PostgreSQL: RawColumnsHoldNoPlaintext";
    UseEveryValue();
    const std::string db = world().data_dir() + "/bulwark.db";
    const std::string backup = world().data_dir() + "/leak-test-backup.db";
    int status = -1;
    std::string out = world().Cli("backup '" + backup + "'", &status);
    ASSERT_EQ(status, 0) << out;
    const std::string wal = FileBytes(db + "-wal");
    EXPECT_FALSE(wal.empty()) << "the running server keeps a WAL";
    // The search works on what it reads: names are stored as they are.
    const std::string file = FileBytes(db) + wal;
    const std::string& name = world().people().front().name;
    EXPECT_NE(::memmem(file.data(), file.size(), name.data(), name.size()), nullptr) << name;
    ExpectNone(FileBytes(db), db);
    ExpectNone(wal, db + "-wal");
    const std::string copy = FileBytes(backup);
    ASSERT_GT(copy.size(), 4096u);
    ExpectNone(copy, backup);
    ExpectNone(FileBytes(backup + "-wal"), backup + "-wal");
}

// PostgreSQL (no file to search): every column of every table, read raw, holds no plaintext.
TEST_P(PersonalDataLeakTest, RawColumnsHoldNoPlaintext) {
    if (GetParam() != "postgres") GTEST_SKIP() << "SQLite: DatabaseFilesAndBackupHoldNoPlaintext";
    UseEveryValue();
    auto columns = world().Query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, column_name");
    ASSERT_TRUE(columns.ok()) << columns.error().message;
    ASSERT_GT(columns->size(), 20u);
    int searched = 0;
    std::string everything;
    for (const db::Row& col : *columns) {
        const std::string table = col.Text(0);
        const std::string column = col.Text(1);
        // bytea as its bytes (printable ones stay as they are), everything else as text.
        const std::string value = col.Text(2) == "bytea" ? "encode(\"" + column + "\", 'escape')"
                                                         : "\"" + column + "\"::text";
        auto rows = world().Query("SELECT " + value + " FROM \"" + table + "\" WHERE \"" + column +
                                  "\" IS NOT NULL");
        ASSERT_TRUE(rows.ok()) << table << "." << column << ": " << rows.error().message;
        std::string all;
        for (const db::Row& row : *rows) all += row.Text(0) + "\n";
        ExpectNone(all, table + "." + column);
        everything += all;
        ++searched;
    }
    // The search works on what it reads: names are stored as they are.
    EXPECT_NE(everything.find(world().people().front().name), std::string::npos);
    EXPECT_GT(searched, 20);
}

// The server runs at --log-level debug (every request line); nothing it wrote holds the values.
TEST_P(PersonalDataLeakTest, ServerLogHoldsNoPlaintext) {
    UseEveryValue();
    const std::string log = world().server().output();
    EXPECT_NE(log.find("/api/v1/residents"), std::string::npos) << "the log has request lines";
    ExpectNone(log, "the server's log");
}

INSTANTIATE_TEST_SUITE_P(Drivers, PersonalDataLeakTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bulwark::securitytest
