#include "auth/encrypted_columns.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <random>

#include "auth/personal_keys.hpp"
#include "db/testing/migrated_database.hpp"

namespace bulwark::auth {
namespace {

namespace fs = std::filesystem;

TEST(PersonalKeysTest, CreatesTheKeyFolderAndFileOwnerOnly) {
    std::random_device random;
    const fs::path data = fs::temp_directory_path() / ("bulwark_data_" + std::to_string(random()));
    const mode_t old = ::umask(0);
    auto cipher = OpenPersonalKeys(data.string());
    ::umask(old);
    ASSERT_TRUE(cipher.ok()) << cipher.error().message;
    EXPECT_EQ(PersonalKeyFilePath(data.string()), (data / "keys" / "personal.key").string());
    struct stat st;
    ASSERT_EQ(::stat((data / "keys").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    ASSERT_EQ(::stat(PersonalKeyFilePath(data.string()).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto again = OpenPersonalKeys(data.string());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)->BlindIndex("x"), (*cipher)->BlindIndex("x"));
    fs::remove_all(data);
}

// A table with an encrypted column, on SQLite or (BULWARK_TEST_PG) PostgreSQL, and a data
// folder for the personal keys (dir_).
class ReencryptTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (auto skip = db::testing::MigratedDatabase::SkipReason(GetParam()))
            GTEST_SKIP() << *skip;
        auto database = db::testing::MigratedDatabase::Create(
            GetParam(), "bulwark_reencrypt",
            {{{"t", 1, "people",
               "CREATE TABLE people (id ID_PK, phone BLOB, doc BLOB, name TEXT NOT NULL)"}}});
        ASSERT_TRUE(database.ok()) << database.error().message;
        database_ = std::move(*database);
        db_ = &database_->db();
        columns_.Add({{"people", "id", "phone"}, {"people", "id", "doc"}});
        // OpenPersonalKeys creates the folder.
        dir_ = fs::temp_directory_path() /
               ("bulwark_reencrypt_keys_" + std::to_string(std::random_device{}()));
    }

    void TearDown() override {
        database_.reset();
        std::error_code ec;
        if (!dir_.empty()) fs::remove_all(dir_, ec);
    }

    std::unique_ptr<PersonalDataCipher> Keys() {
        auto cipher = OpenPersonalKeys(dir_.string());
        EXPECT_TRUE(cipher.ok()) << cipher.error().message;
        return cipher.ok() ? std::move(*cipher) : nullptr;
    }

    static std::string Phone(int i) { return "138" + std::to_string(10000000 + i); }

    void Seed(const PersonalDataCipher& cipher, int n) {
        Status s = db_->Write([&](db::Session& session) -> Status {
            for (int i = 0; i < n; ++i) {
                db::Value doc = i % 4 == 0 ? db::Value()
                                           : db::Value(db::Blob{cipher.Encrypt(
                                                 "11010119900307" + std::to_string(1000 + i))});
                RETURN_IF_ERROR(session.Exec(
                    "INSERT INTO people (phone, doc, name) VALUES (?, ?, ?)",
                    {db::Blob{cipher.Encrypt(Phone(i))}, doc, "居民" + std::to_string(i)}));
            }
            return Ok();
        });
        ASSERT_TRUE(s.ok()) << s.error().message;
    }

    db::Rows All() {
        auto rows = db_->ReadValue([](db::Session& s) {
            return s.Query("SELECT id, phone, doc FROM people ORDER BY id");
        });
        EXPECT_TRUE(rows.ok()) << rows.error().message;
        return rows.ok() ? *rows : db::Rows{};
    }

    fs::path dir_;
    std::unique_ptr<db::testing::MigratedDatabase> database_;
    db::Database* db_ = nullptr;  // database_'s
    EncryptedColumnSet columns_;
};

INSTANTIATE_TEST_SUITE_P(Drivers, ReencryptTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST_P(ReencryptTest, RotationReencryptsEveryOldValueInBatches) {
    constexpr int kRows = 23;
    auto v1 = Keys();
    ASSERT_NE(v1, nullptr);
    Seed(*v1, kRows);
    const std::string index_before = v1->BlindIndex(Phone(3));

    ASSERT_TRUE(PersonalDataCipher::AddKeyToFile(PersonalKeyFilePath(dir_.string())).ok());
    auto v2 = Keys();
    ASSERT_NE(v2, nullptr);
    ASSERT_EQ(v2->current_version(), 2);

    auto counts = ReencryptColumns(*db_, *v2, columns_, 5);
    ASSERT_TRUE(counts.ok()) << counts.error().message;
    ASSERT_EQ(counts->size(), 2u);
    EXPECT_EQ((*counts)[0].column.column, "phone");
    EXPECT_EQ((*counts)[0].scanned, kRows);
    EXPECT_EQ((*counts)[0].reencrypted, kRows);
    EXPECT_EQ((*counts)[1].scanned, kRows - 6) << "NULLs are skipped";
    EXPECT_EQ((*counts)[1].reencrypted, kRows - 6);

    int i = 0;
    for (const db::Row& row : All()) {
        const std::string phone = row[1].AsBlob().bytes;
        EXPECT_FALSE(v2->NeedsRotation(phone));
        auto plain = v2->Decrypt(phone);
        ASSERT_TRUE(plain.ok());
        EXPECT_EQ(*plain, Phone(i));
        EXPECT_FALSE(v1->Decrypt(phone).ok()) << "the new ciphertext needs the new key";
        if (!row.IsNull(2)) {
            EXPECT_FALSE(v2->NeedsRotation(row[2].AsBlob().bytes));
        }
        ++i;
    }
    EXPECT_EQ(i, kRows);
    EXPECT_EQ(v2->BlindIndex(Phone(3)), index_before);

    // A second run finds nothing left to do.
    auto again = ReencryptColumns(*db_, *v2, columns_, 5);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)[0].scanned, kRows);
    EXPECT_EQ((*again)[0].reencrypted, 0);
}

TEST_P(ReencryptTest, AValueThatDoesNotDecryptStopsTheRunWithoutWritingItsBatch) {
    auto v1 = Keys();
    ASSERT_NE(v1, nullptr);
    Seed(*v1, 4);
    auto stranger = PersonalDataCipher::ForTesting(9);
    Status s = db_->Write([&](db::Session& session) -> Status {
        RETURN_IF_ERROR(session.Exec("UPDATE people SET phone = ? WHERE id = 3",
                                     {db::Blob{stranger->Encrypt("13800000000")}}));
        return Ok();
    });
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(PersonalDataCipher::AddKeyToFile(PersonalKeyFilePath(dir_.string())).ok());
    auto v2 = Keys();
    auto counts = ReencryptColumns(*db_, *v2, columns_, 10);
    ASSERT_FALSE(counts.ok());
    EXPECT_EQ(counts.error().code, ErrorCode::kInternal);
    EXPECT_NE(counts.error().message.find("people.phone"), std::string::npos);
    for (const db::Row& row : All()) {
        EXPECT_TRUE(v2->NeedsRotation(row[1].AsBlob().bytes)) << "row " << row.Int(0);
    }
}

TEST_P(ReencryptTest, RefusesNamesThatAreNotIdentifiers) {
    auto v1 = Keys();
    EncryptedColumnSet bad;
    bad.Add({{"people; DROP TABLE people", "id", "phone"}});
    auto counts = ReencryptColumns(*db_, *v1, bad);
    ASSERT_FALSE(counts.ok());
    EXPECT_EQ(counts.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(All().size(), 0u);
}

}  // namespace
}  // namespace bulwark::auth
