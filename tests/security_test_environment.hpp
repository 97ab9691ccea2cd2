#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/support/security_world.hpp"

namespace bulwark::securitytest {

// Base of the security tests, parameterised by driver ("sqlite" or "postgres"): SetUp gets the
// driver's shared SecurityWorld (skipping PostgreSQL when BULWARK_TEST_PG is not set). The
// worlds' servers stop when the program's tests end.
class WorldTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        std::string skip;
        std::string error;
        world_ = testsupport::SecurityWorld::For(GetParam(), &skip, &error);
        if (!skip.empty()) GTEST_SKIP() << skip;
        ASSERT_NE(world_, nullptr) << error;
    }
    testsupport::SecurityWorld& world() { return *world_; }

private:
    testsupport::SecurityWorld* world_ = nullptr;
};

}  // namespace bulwark::securitytest
