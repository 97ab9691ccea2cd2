#include "auth/personal_data.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace bulwark::auth {
namespace {

namespace fs = std::filesystem;

class KeyFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::random_device random;
        dir_ = fs::temp_directory_path() / ("bulwark_keys_" + std::to_string(random()));
        fs::create_directories(dir_);
        path_ = (dir_ / "personal.key").string();
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path dir_;
    std::string path_;
};

TEST(PersonalDataCipherTest, RoundTripsChineseText) {
    auto cipher = PersonalDataCipher::ForTesting(1);
    const std::vector<std::string> plains = {"11010119900307123X", "13812345678",
                                             "北京市朝阳区幸福里 3 号楼 2 单元", "",
                                             std::string("a\0b", 3)};
    for (const std::string& plain : plains) {
        std::string sealed = cipher->Encrypt(plain);
        EXPECT_EQ(sealed.size(), plain.size() + 1 + 24 + 16);
        if (plain.size() >= 8) {
            EXPECT_EQ(sealed.find(plain), std::string::npos);
        }
        auto opened = cipher->Decrypt(sealed);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        EXPECT_EQ(*opened, plain);
    }
}

TEST(PersonalDataCipherTest, SameValueEncryptsDifferentlyEachTime) {
    auto cipher = PersonalDataCipher::ForTesting(1);
    EXPECT_NE(cipher->Encrypt("13812345678"), cipher->Encrypt("13812345678"));
}

TEST(PersonalDataCipherTest, DetectsTampering) {
    auto cipher = PersonalDataCipher::ForTesting(1);
    const std::string sealed = cipher->Encrypt("张三 110101199003071234");
    for (size_t i = 1; i < sealed.size(); ++i) {
        std::string bad = sealed;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        auto opened = cipher->Decrypt(bad);
        ASSERT_FALSE(opened.ok()) << "flipped byte " << i;
        EXPECT_EQ(opened.error().code, ErrorCode::kInternal);
    }
    EXPECT_FALSE(cipher->Decrypt(sealed.substr(0, sealed.size() - 1)).ok());
    EXPECT_FALSE(cipher->Decrypt("").ok());
    EXPECT_FALSE(cipher->Decrypt("\x01short").ok());
}

TEST(PersonalDataCipherTest, RefusesUnknownKeyVersionsAndOtherKeys) {
    auto cipher = PersonalDataCipher::ForTesting(1);
    std::string sealed = cipher->Encrypt("13812345678");
    for (char version : {'\0', '\x02', '\xff'}) {
        std::string other = sealed;
        other[0] = version;
        auto opened = cipher->Decrypt(other);
        ASSERT_FALSE(opened.ok());
        EXPECT_EQ(opened.error().code, ErrorCode::kInternal);
    }
    auto stranger = PersonalDataCipher::ForTesting(2);
    EXPECT_FALSE(stranger->Decrypt(sealed).ok());
}

TEST(PersonalDataCipherTest, BlindIndexIsStableAndKeyDependent) {
    auto a = PersonalDataCipher::ForTesting(1);
    auto a_again = PersonalDataCipher::ForTesting(1);
    auto b = PersonalDataCipher::ForTesting(2);
    const std::string index = a->BlindIndex("110101199003071234");
    EXPECT_EQ(index.size(), 16u);
    EXPECT_EQ(index, a->BlindIndex("110101199003071234"));
    EXPECT_EQ(index, a_again->BlindIndex("110101199003071234"));
    EXPECT_NE(index, a->BlindIndex("110101199003071235"));
    EXPECT_NE(index, b->BlindIndex("110101199003071234"));
}

TEST_F(KeyFileTest, CreatesFileWithMode0600WhateverTheUmask) {
    const mode_t old = ::umask(0);
    auto cipher = PersonalDataCipher::OpenKeyFile(path_);
    ::umask(old);
    ASSERT_TRUE(cipher.ok()) << cipher.error().message;
    struct stat st;
    ASSERT_EQ(::stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ((*cipher)->current_version(), 1);

    std::ifstream in(path_);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\nindex "), std::string::npos);
    EXPECT_NE(text.find("\nkey 1 "), std::string::npos);

    // Opening again reads the same keys.
    auto again = PersonalDataCipher::OpenKeyFile(path_);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ((*again)->BlindIndex("13812345678"), (*cipher)->BlindIndex("13812345678"));
    auto opened = (*again)->Decrypt((*cipher)->Encrypt("李四"));
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(*opened, "李四");
}

TEST_F(KeyFileTest, RefusesFileReadableByOthers) {
    ASSERT_TRUE(PersonalDataCipher::OpenKeyFile(path_).ok());
    for (mode_t mode : {0640, 0604, 0644, 0660}) {
        ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
        auto cipher = PersonalDataCipher::OpenKeyFile(path_);
        ASSERT_FALSE(cipher.ok()) << std::oct << mode;
        EXPECT_EQ(cipher.error().code, ErrorCode::kFailedPrecondition);
        EXPECT_NE(cipher.error().message.find("chmod 600"), std::string::npos);
        EXPECT_FALSE(PersonalDataCipher::AddKeyToFile(path_).ok());
    }
    ASSERT_EQ(::chmod(path_.c_str(), 0600), 0);
    EXPECT_TRUE(PersonalDataCipher::OpenKeyFile(path_).ok());
}

TEST_F(KeyFileTest, RefusesDamagedFiles) {
    auto write = [&](const std::string& text) {
        fs::remove(path_);
        std::ofstream(path_) << text;
        fs::permissions(path_, fs::perms::owner_read | fs::perms::owner_write);
    };
    const std::string hex(64, 'a');
    write("key 1 " + hex + "\n");
    EXPECT_FALSE(PersonalDataCipher::OpenKeyFile(path_).ok()) << "no index";
    write("index " + hex + "\n");
    EXPECT_FALSE(PersonalDataCipher::OpenKeyFile(path_).ok()) << "no key";
    write("index " + hex + "\nkey 2 " + hex + "\n");
    EXPECT_FALSE(PersonalDataCipher::OpenKeyFile(path_).ok()) << "versions must start at 1";
    write("index " + hex + "\nkey 1 abcd\n");
    EXPECT_FALSE(PersonalDataCipher::OpenKeyFile(path_).ok()) << "short key";
    write("# comment\nindex " + hex + "\r\nkey 1 " + hex + "\n\n");
    EXPECT_TRUE(PersonalDataCipher::OpenKeyFile(path_).ok());
}

TEST_F(KeyFileTest, RotationKeepsOldCiphertextReadable) {
    auto v1 = PersonalDataCipher::OpenKeyFile(path_);
    ASSERT_TRUE(v1.ok()) << v1.error().message;
    const std::string old_sealed = (*v1)->Encrypt("110101199003071234");
    const std::string old_index = (*v1)->BlindIndex("110101199003071234");
    EXPECT_FALSE((*v1)->NeedsRotation(old_sealed));

    ASSERT_TRUE(PersonalDataCipher::AddKeyToFile(path_).ok());
    struct stat st;
    ASSERT_EQ(::stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_FALSE(fs::exists(path_ + ".new"));

    auto v2 = PersonalDataCipher::OpenKeyFile(path_);
    ASSERT_TRUE(v2.ok()) << v2.error().message;
    EXPECT_EQ((*v2)->current_version(), 2);
    EXPECT_TRUE((*v2)->NeedsRotation(old_sealed));
    auto opened = (*v2)->Decrypt(old_sealed);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(*opened, "110101199003071234");

    const std::string new_sealed = (*v2)->Encrypt(*opened);
    EXPECT_EQ(static_cast<uint8_t>(new_sealed[0]), 2);
    EXPECT_FALSE((*v2)->NeedsRotation(new_sealed));
    EXPECT_EQ((*v2)->BlindIndex("110101199003071234"), old_index) << "the index key never rotates";
    // A process still holding only the old keys cannot read the new ciphertext.
    EXPECT_FALSE((*v1)->Decrypt(new_sealed).ok());
}

TEST(MaskingTest, IdNumbers) {
    EXPECT_EQ(MaskIdNumber("110101199003071234"), "110101********1234");
    EXPECT_EQ(MaskIdNumber("11010119900307123X"), "110101********123X");
    EXPECT_EQ(MaskIdNumber("110101900307123"), "110101*****7123");
    EXPECT_EQ(MaskIdNumber("E12345678"), "*****5678");
    EXPECT_EQ(MaskIdNumber("12345678"), "****5678");
    EXPECT_EQ(MaskIdNumber("1234"), "**34");
    EXPECT_EQ(MaskIdNumber("1"), "*");
    EXPECT_EQ(MaskIdNumber(""), "");
}

TEST(MaskingTest, Phones) {
    EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
    EXPECT_EQ(MaskPhone("01062345678"), "010****5678");
    EXPECT_EQ(MaskPhone("62345678"), "****5678");
    EXPECT_EQ(MaskPhone("+8613812345678"), "**********5678");
    EXPECT_EQ(MaskPhone("110"), "**0");
    EXPECT_EQ(MaskPhone(""), "");
}

TEST(MaskingTest, NamesByCharacter) {
    EXPECT_EQ(MaskName("张三"), "*三");
    EXPECT_EQ(MaskName("欧阳娜娜"), "***娜");
    EXPECT_EQ(MaskName("阿卜杜热合曼·买买提"), "*********提");
    EXPECT_EQ(MaskName("Li Lei"), "*****i");
    EXPECT_EQ(MaskName("王"), "王");
    EXPECT_EQ(MaskName(""), "");
    EXPECT_EQ(MaskName("𠀀明"), "*明") << "four-byte characters count once";
}

}  // namespace
}  // namespace bulwark::auth
