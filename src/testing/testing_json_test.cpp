#include "testing/testing_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace bulwark::testing {
namespace {

namespace json = boost::json;
using namespace warnings;

// The accepted scan's answer as the objects the JSON library would build and serialize.
std::string WithObjects(const AcceptedScan& scan) {
    json::array warnings;
    for (const Warning& w : WarningsOf(scan.warning_bits)) {
        warnings.push_back(json::object{{"code", w.code}, {"message", w.message}});
    }
    json::object body{
        {"sample", json::object{{"id", scan.sample_id},
                                {"round_id", scan.tube.round_id},
                                {"tube_barcode", scan.tube.barcode},
                                {"site_id", scan.tube.site_id},
                                {"table_id", scan.tube.table_id},
                                {"scanned_at", scan.taken_at}}},
        {"resident", json::object{{"id", scan.resident_id}, {"name_masked", scan.name_masked}}},
        {"tube", TubeJson(scan.after)},
        {"warnings", std::move(warnings)}};
    return json::serialize(body);
}

Tube MakeTube(std::string barcode, TubeStatus status, int64_t closed_at, int64_t box_id) {
    Tube t;
    t.id = 14292;
    t.round_id = 71;
    t.site_id = 2;
    t.table_id = 91;
    t.barcode = std::move(barcode);
    t.pool_size = 10;
    t.count = 7;
    t.status = status;
    t.opened_at = 1'796'065'576'555;
    t.closed_at = closed_at;
    t.box_id = box_id;
    return t;
}

TEST(AcceptedScanJsonTest, SameBytesAsTheJsonLibrary) {
    const Tube plain = MakeTube("T0001-26-6", TubeStatus::kOpen, 0, 0);
    const Tube closed = MakeTube("T0001-26-6", TubeStatus::kClosed, 1'796'065'576'701, 0);
    const Tube boxed = MakeTube("T0001-26-6", TubeStatus::kClosed, 1'796'065'576'701, 12);
    // Barcodes and names are the scanner's and the registry's text: quotes, backslashes,
    // control characters and Chinese must come out as the library writes them.
    static constexpr char kOdd[] = "a\"b\\c\n\t\r\b\f\x01\x1f\x7f/试管\0z";
    const Tube odd = MakeTube(std::string(kOdd, sizeof kOdd - 1), TubeStatus::kOpen, 0, 0);
    const std::string names[] = {"**云", "", "*\"\\\x02", "张*"};
    const uint32_t warnings[] = {0, kOutsideScope, kMovedOut | kSingleTubeRequired,
                                 kOutsideScope | kMovedOut | kSingleTubeRequired};
    int cases = 0;
    for (const Tube* tube : {&plain, &odd}) {
        for (const Tube* after : {&plain, &closed, &boxed, &odd}) {
            for (const std::string& name : names) {
                for (uint32_t bits : warnings) {
                    const AcceptedScan scan{.sample_id = 144076,
                                            .tube = *tube,
                                            .resident_id = 1730,
                                            .name_masked = name,
                                            .after = *after,
                                            .taken_at = 1'796'065'576'701,
                                            .warning_bits = bits};
                    ASSERT_EQ(AcceptedScanJson(scan), WithObjects(scan))
                        << tube->barcode << " " << name << " " << bits;
                    ++cases;
                }
            }
        }
    }
    EXPECT_EQ(cases, 2 * 4 * 4 * 4);
}

TEST(AcceptedScanJsonTest, ParsesBackToTheFields) {
    const Tube tube = MakeTube("T9", TubeStatus::kClosed, 5, 0);
    const json::value v = json::parse(AcceptedScanJson({.sample_id = 1,
                                                        .tube = tube,
                                                        .resident_id = 2,
                                                        .name_masked = "*三",
                                                        .after = tube,
                                                        .taken_at = 3,
                                                        .warning_bits = kMovedOut}));
    EXPECT_EQ(v.at("sample").at("tube_barcode").as_string(), "T9");
    EXPECT_EQ(v.at("resident").at("name_masked").as_string(), "*三");
    EXPECT_EQ(v.at("tube").at("status").as_string(), "closed");
    EXPECT_EQ(v.at("tube").at("closed_at").as_int64(), 5);
    EXPECT_TRUE(v.at("tube").at("box_id").is_null());
    ASSERT_EQ(v.at("warnings").as_array().size(), 1u);
    EXPECT_EQ(v.at("warnings").as_array()[0].at("code").as_string(), "moved_out");
}

}  // namespace
}  // namespace bulwark::testing
