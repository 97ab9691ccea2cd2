#include "tests/security_test_environment.hpp"

namespace bulwark::securitytest {
namespace {

// Stops the shared servers once every test of the program has run.
class StopWorlds : public ::testing::Environment {
public:
    void TearDown() override { testsupport::SecurityWorld::StopAll(); }
};

[[maybe_unused]] ::testing::Environment* const kStopWorlds =
    ::testing::AddGlobalTestEnvironment(new StopWorlds);

}  // namespace
}  // namespace bulwark::securitytest
