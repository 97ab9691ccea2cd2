#include "auth/account_service.hpp"

#include <gtest/gtest.h>

#include "auth/auth_test_fixture.hpp"

namespace bulwark::auth {
namespace {

using testing::AuthDbTest;

const ClientInfo kClient{.address = "127.0.0.1", .user_agent = "test", .request_id = "r1"};

class AccountServiceTest : public AuthDbTest {
protected:
    Principal SignIn(const std::string& name, const std::string& password) {
        auto in = auth_->sessions.Login(name, password, kClient);
        EXPECT_TRUE(in.ok() && in->kind == LoginOutcome::Kind::kSignedIn);
        return in.ok() ? in->principal : Principal{};
    }
};

TEST_P(AccountServiceTest, CreateChecksNamesPasswordsAndGrants) {
    auto bad_name = auth_->accounts.Create(
        nullptr, {.username = "a b", .password = "long-enough-1", .grants = {{}}});
    ASSERT_FALSE(bad_name.ok());
    EXPECT_EQ(bad_name.error().field, "username");
    auto short_password =
        auth_->accounts.Create(nullptr, {.username = "ann",
                                         .password = "short",
                                         .grants = {{Role::kStaff, {ScopeKind::kCommunity, 1}}}});
    ASSERT_FALSE(short_password.ok());
    EXPECT_EQ(short_password.error().field, "password");
    auto no_grants =
        auth_->accounts.Create(nullptr, {.username = "ann", .password = "long-enough-1"});
    ASSERT_FALSE(no_grants.ok());
    EXPECT_EQ(no_grants.error().field, "grants");

    auto random = auth_->accounts.Create(
        nullptr, {.username = "Ann", .grants = {{Role::kScanner, {ScopeKind::kSite, 4}}}});
    ASSERT_TRUE(random.ok()) << random.error().message;
    EXPECT_EQ(random->user.username, "ann");
    EXPECT_EQ(random->user.display_name, "ann");
    EXPECT_EQ(random->password.size(), 16u);
    EXPECT_TRUE(random->user.password_hash.empty());
    auto duplicate =
        auth_->accounts.Create(nullptr, {.username = "ANN",
                                         .password = "long-enough-1",
                                         .grants = {{Role::kStaff, {ScopeKind::kCommunity, 1}}}});
    ASSERT_FALSE(duplicate.ok());
    EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
    EXPECT_EQ(AuditCount("user.create"), 1);
}

TEST_P(AccountServiceTest, AdministratorsManageOnlyAccountsInTheirScope) {
    AddUser("admin12", "admin-password-1", {{Role::kAdministrator, {ScopeKind::kCommunity, 12}}});
    int64_t inside =
        AddUser("staff12", "staff-password-1", {{Role::kStaff, {ScopeKind::kCommunity, 12}}});
    int64_t outside =
        AddUser("staff13", "staff-password-1", {{Role::kStaff, {ScopeKind::kCommunity, 13}}});
    int64_t mixed = AddUser(
        "both", "staff-password-1",
        {{Role::kStaff, {ScopeKind::kCommunity, 12}}, {Role::kStaff, {ScopeKind::kCommunity, 13}}});
    Principal admin = SignIn("admin12", "admin-password-1");

    auto list = auth_->accounts.List(&admin);
    ASSERT_TRUE(list.ok());
    std::vector<std::string> names;
    for (const auto& u : *list) names.push_back(u.username);
    EXPECT_EQ(names, (std::vector<std::string>{"admin12", "staff12"}));

    EXPECT_TRUE(auth_->accounts.Get(&admin, inside).ok());
    for (int64_t id : {outside, mixed, int64_t{9999}}) {
        auto got = auth_->accounts.Get(&admin, id);
        ASSERT_FALSE(got.ok());
        EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
        EXPECT_EQ(got.error().message, "未找到");
        auto locked = auth_->accounts.Update(&admin, id, {.locked = true});
        ASSERT_FALSE(locked.ok());
        EXPECT_EQ(locked.error().message, "未找到");
        auto reset = auth_->accounts.ResetPassword(&admin, id);
        ASSERT_FALSE(reset.ok());
        EXPECT_EQ(reset.error().code, ErrorCode::kNotFound);
    }

    // Granting outside the own scope is refused, on create and on update.
    auto create =
        auth_->accounts.Create(&admin, {.username = "new13",
                                        .password = "",
                                        .grants = {{Role::kStaff, {ScopeKind::kCommunity, 13}}}});
    ASSERT_FALSE(create.ok());
    EXPECT_EQ(create.error().code, ErrorCode::kPermissionDenied);
    auto widen = auth_->accounts.Update(
        &admin, inside,
        {.grants = std::vector<Grant>{{Role::kStaff, {ScopeKind::kCommunity, 13}}}});
    ASSERT_FALSE(widen.ok());
    EXPECT_EQ(widen.error().code, ErrorCode::kPermissionDenied);

    // Self-lock is refused.
    auto self = auth_->accounts.Update(&admin, admin.user_id, {.locked = true});
    ASSERT_FALSE(self.ok());
    EXPECT_EQ(self.error().code, ErrorCode::kFailedPrecondition);

    auto renamed = auth_->accounts.Update(&admin, inside, {.display_name = "王小明"});
    ASSERT_TRUE(renamed.ok());
    EXPECT_EQ(renamed->display_name, "王小明");
    EXPECT_EQ(AuditCount("user.update"), 1);
}

TEST_P(AccountServiceTest, ChangingTheOwnPasswordEndsOtherSessions) {
    AddUser("ivy", "ivy-password-01");
    auto first = auth_->sessions.Login("ivy", "ivy-password-01", kClient);
    auto second = auth_->sessions.Login("ivy", "ivy-password-01", kClient);
    ASSERT_TRUE(first.ok() && second.ok());
    const Principal& who = first->principal;
    const LoginLimiter& limiter = auth_->sessions.limiter();

    Status wrong =
        auth_->accounts.ChangeOwnPassword(who, "not-the-old-one", "ivy-password-02", limiter);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().field, "old_password");
    Status weak = auth_->accounts.ChangeOwnPassword(who, "ivy-password-01", "short", limiter);
    ASSERT_FALSE(weak.ok());
    EXPECT_EQ(weak.error().field, "new_password");
    Status as_name = auth_->accounts.ChangeOwnPassword(who, "ivy-password-01", "IVY", limiter);
    ASSERT_FALSE(as_name.ok());

    ASSERT_TRUE(
        auth_->accounts.ChangeOwnPassword(who, "ivy-password-01", "ivy-password-02", limiter).ok());
    EXPECT_TRUE(auth_->sessions.Authenticate(first->token, kClient).ok());
    EXPECT_FALSE(auth_->sessions.Authenticate(second->token, kClient).ok());
    auto old_login = auth_->sessions.Login("ivy", "ivy-password-01", kClient);
    EXPECT_EQ(old_login->kind, LoginOutcome::Kind::kRejected);
    auto new_login = auth_->sessions.Login("ivy", "ivy-password-02", kClient);
    EXPECT_EQ(new_login->kind, LoginOutcome::Kind::kSignedIn);
    EXPECT_EQ(AuditCount("password.change"), 1);
}

BULWARK_AUTH_DB_TEST_SUITE(AccountServiceTest);

}  // namespace
}  // namespace bulwark::auth
