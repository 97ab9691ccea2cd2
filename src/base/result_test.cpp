#include "base/result.hpp"

#include <gtest/gtest.h>

#include "base/clock.hpp"

namespace bulwark {
namespace {

Result<int> Half(int x) {
    if (x % 2 != 0) return InvalidArgument("不是偶数", "x");
    return x / 2;
}

Result<int> Quarter(int x) {
    ASSIGN_OR_RETURN(int half, Half(x));
    ASSIGN_OR_RETURN(int quarter, Half(half));
    return quarter;
}

Status CheckEven(int x) {
    RETURN_IF_ERROR(Half(x));
    return Ok();
}

TEST(ResultTest, CarriesValueOrError) {
    Result<int> ok = Half(4);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(*ok, 2);
    Result<int> bad = Half(3);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(bad.error().field, "x");
}

TEST(ResultTest, MacrosPropagateTheFirstError) {
    EXPECT_EQ(*Quarter(8), 2);
    Result<int> r = Quarter(6);  // 6 -> 3 -> error
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "不是偶数");
    EXPECT_TRUE(CheckEven(2).ok());
    EXPECT_FALSE(CheckEven(1).ok());
}

TEST(ResultTest, ErrorCodeNamesAreStable) {
    EXPECT_EQ(ErrorCodeName(ErrorCode::kInvalidArgument), "invalid_argument");
    EXPECT_EQ(ErrorCodeName(ErrorCode::kFailedPrecondition), "failed_precondition");
    EXPECT_EQ(ErrorCodeName(ErrorCode::kUnavailable), "unavailable");
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
    FakeClock clock(1000);
    EXPECT_EQ(clock.NowMillis(), 1000);
    clock.Advance(250);
    EXPECT_EQ(clock.NowMillis(), 1250);
}

}  // namespace
}  // namespace bulwark
