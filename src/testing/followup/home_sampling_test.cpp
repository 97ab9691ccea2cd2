#include "testing/followup/home_sampling.hpp"

#include <gtest/gtest.h>

#include "testing/followup/followup_test_fixture.hpp"
#include "testing/followup/home_sampling_store.hpp"

namespace bulwark::testing::followup {
namespace {

class HomeSamplingTest : public FollowupDbTest {
protected:
    std::vector<HomeSamplingEntry> Open(int64_t community_id) {
        auto entries = db_->ReadValue(
            [&](db::Session& s) { return HomeSamplingStore::OfCommunity(s, community_id, false); });
        EXPECT_TRUE(entries.ok()) << entries.error().message;
        return entries.ok() ? *entries : std::vector<HomeSamplingEntry>{};
    }
};

TEST_P(HomeSamplingTest, AddsOneOpenEntryPerResidentAndReason) {
    HomeSamplingRequest request{.resident_id = 11,
                                .community_id = 3,
                                .round_id = 5,
                                .reason = HomeSamplingReason::kPooledPositive,
                                .urgent = true,
                                .source = "混管 T0001234 阳性",
                                .requested_by = 0};
    ASSERT_TRUE(db_->Write([&](db::Session& s) { return AddHomeSampling(s, request, 1000); }).ok());
    ASSERT_TRUE(db_->Write([&](db::Session& s) { return AddHomeSampling(s, request, 2000); }).ok());
    auto open = Open(3);
    ASSERT_EQ(open.size(), 1u) << "a second open entry for the same reason is not added";
    EXPECT_EQ(open[0].resident_id, 11);
    EXPECT_EQ(open[0].reason, "pooled_positive");
    EXPECT_TRUE(open[0].urgent);
    EXPECT_EQ(open[0].source, "混管 T0001234 阳性");
    EXPECT_EQ(open[0].requested_at, 1000);
    EXPECT_EQ(open[0].round_id, 5);

    request.reason = HomeSamplingReason::kBedridden;
    ASSERT_TRUE(db_->Write([&](db::Session& s) { return AddHomeSampling(s, request, 3000); }).ok());
    EXPECT_EQ(Open(3).size(), 2u) << "another reason is another entry";

    // Once done, a new request opens a new entry.
    ASSERT_TRUE(db_->Write([&](db::Session& s) -> Status {
                       ASSIGN_OR_RETURN(bool done,
                                        HomeSamplingStore::MarkDone(s, open[0].id, 4000, 6, "T9"));
                       if (!done) return Internal("not marked");
                       return Ok();
                   })
                    .ok());
    request.reason = HomeSamplingReason::kPooledPositive;
    ASSERT_TRUE(db_->Write([&](db::Session& s) { return AddHomeSampling(s, request, 5000); }).ok());
    EXPECT_EQ(Open(3).size(), 2u);
    auto counts =
        db_->ReadValue([&](db::Session& s) { return HomeSamplingStore::Counts(s, 3, 0, 10'000); });
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->first, 2);
    EXPECT_EQ(counts->second, 1);
}

TEST_P(HomeSamplingTest, AMissingResidentIsRefused) {
    HomeSamplingRequest request{.community_id = 3};
    auto status = db_->Write([&](db::Session& s) { return AddHomeSampling(s, request, 1000); });
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(status.error().field, "resident_id");
    EXPECT_TRUE(Open(3).empty());
}

BULWARK_FOLLOWUP_DB_TEST_SUITE(HomeSamplingTest);

}  // namespace
}  // namespace bulwark::testing::followup
