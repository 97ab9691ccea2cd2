#include "auth/password.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <set>

namespace bulwark::auth {
namespace {

TEST(PasswordTest, HashesWithArgon2idAndVerifies) {
    auto hash = HashPassword("correct horse battery");
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u) << *hash;
    EXPECT_TRUE(VerifyPassword(*hash, "correct horse battery"));
    EXPECT_FALSE(VerifyPassword(*hash, "correct horse batterY"));
    EXPECT_FALSE(VerifyPassword(*hash, ""));
    EXPECT_FALSE(VerifyPassword("", "correct horse battery"));
    EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "correct horse battery"));
    // Salted: the same password hashes differently each time.
    auto again = HashPassword("correct horse battery");
    ASSERT_TRUE(again.ok());
    EXPECT_NE(*hash, *again);
    EXPECT_FALSE(PasswordNeedsRehash(*hash));
}

TEST(PasswordTest, HashesWithOtherParametersNeedRehash) {
    ASSERT_GE(sodium_init(), 0);
    char weak[crypto_pwhash_STRBYTES];
    const std::string password = "an older password";
    ASSERT_EQ(
        crypto_pwhash_str_alg(weak, password.data(), password.size(), crypto_pwhash_OPSLIMIT_MIN,
                              crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13),
        0);
    EXPECT_TRUE(VerifyPassword(weak, password));
    EXPECT_TRUE(PasswordNeedsRehash(weak));
}

TEST(PasswordTest, Rules) {
    EXPECT_TRUE(CheckPasswordRules("0123456789", "alice").ok());
    auto short_one = CheckPasswordRules("012345678", "alice");
    ASSERT_FALSE(short_one.ok());
    EXPECT_EQ(short_one.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(short_one.error().field, "password");
    // Ten Chinese characters are ten characters, though thirty bytes.
    EXPECT_TRUE(CheckPasswordRules("一二三四五六七八九十", "alice").ok());
    EXPECT_FALSE(CheckPasswordRules("一二三四五六七八九", "alice").ok());
    auto same = CheckPasswordRules("Alice.Wong.2022", "alice.wong.2022", "new_password");
    ASSERT_FALSE(same.ok());
    EXPECT_EQ(same.error().field, "new_password");
    EXPECT_FALSE(CheckPasswordRules(std::string(2000, 'x'), "alice").ok());
}

TEST(PasswordTest, RandomPasswordsAreLongAndDifferent) {
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        std::string p = RandomPassword();
        EXPECT_EQ(p.size(), 16u);
        EXPECT_TRUE(CheckPasswordRules(p, "someone").ok());
        EXPECT_EQ(p.find_first_of("0O1lI"), std::string::npos) << p;
        seen.insert(p);
    }
    EXPECT_EQ(seen.size(), 50u);
}

}  // namespace
}  // namespace bulwark::auth
