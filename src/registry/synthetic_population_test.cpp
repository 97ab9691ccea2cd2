#include "registry/synthetic_population.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "registry/id_number.hpp"
#include "registry/pinyin.hpp"

namespace bulwark::registry {
namespace {

constexpr int32_t kToday = 20240601;

std::vector<SyntheticPerson> FirstPeople(uint64_t seed, size_t n) {
    PopulationGenerator gen({.scale = Scale::kCommunity, .seed = seed, .reference_date = kToday});
    std::vector<SyntheticPerson> out;
    SyntheticBuilding b;
    while (out.size() < n && gen.Next(&b)) {
        for (const auto& h : b.households) {
            for (const auto& p : h.members) {
                if (out.size() < n) out.push_back(p);
            }
        }
    }
    return out;
}

bool Same(const SyntheticPerson& a, const SyntheticPerson& b) {
    return a.name == b.name && a.name_initials == b.name_initials && a.doc_type == b.doc_type &&
           a.doc_number == b.doc_number && a.phone == b.phone && a.sex == b.sex &&
           a.birth_date == b.birth_date && a.residency == b.residency && a.presence == b.presence &&
           a.tags == b.tags;
}

TEST(SyntheticPopulationTest, PrngIsFixed) {
    // The sequence is part of the contract: demo data must not change with the compiler.
    SplitMixXoshiro rng(1);
    uint64_t first = rng.Next();
    SplitMixXoshiro again(1);
    EXPECT_EQ(again.Next(), first);
    EXPECT_EQ(first, 0xb3f2af6d0fc710c5ULL);
    for (int i = 0; i < 1000; ++i) {
        uint64_t v = rng.Below(7);
        ASSERT_LT(v, 7u);
        double u = rng.Unit();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
    }
}

TEST(SyntheticPopulationTest, SameSeedSamePeople) {
    auto a = FirstPeople(42, 100);
    auto b = FirstPeople(42, 100);
    auto c = FirstPeople(43, 100);
    ASSERT_EQ(a.size(), 100u);
    ASSERT_EQ(b.size(), 100u);
    int differ = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_TRUE(Same(a[i], b[i])) << "resident " << i << " differs";
        differ += !Same(a[i], c[i]);
    }
    EXPECT_GT(differ, 90) << "another seed should give other people";
}

TEST(SyntheticPopulationTest, CommunityScaleLooksReal) {
    PopulationGenerator gen({.scale = Scale::kCommunity, .seed = 7, .reference_date = kToday});
    std::set<std::string> ids, grids, buildings;
    std::map<int, int64_t> household_sizes;
    int64_t people = 0, households = 0, elderly60 = 0, elderly80 = 0, infants = 0;
    int64_t disabled = 0, pregnant = 0, women_20_40 = 0, bedridden = 0, bedridden_80 = 0;
    int64_t chronic_60 = 0, initials_mismatch = 0, no_doc = 0;
    SyntheticBuilding b;
    while (gen.Next(&b)) {
        EXPECT_EQ(b.street, "演示街道");
        EXPECT_EQ(b.community, "雅仕居社区");
        grids.insert(b.grid);
        EXPECT_TRUE(buildings.insert(b.name).second) << "building name repeated: " << b.name;
        int64_t in_building = b.resident_count();
        EXPECT_GE(in_building, 70) << b.name;
        EXPECT_LE(in_building, 2300) << b.name;
        std::set<std::string> rooms;
        for (const auto& h : b.households) {
            EXPECT_TRUE(rooms.insert(h.unit + "/" + h.room).second) << "room repeated";
            ++households;
            int size = static_cast<int>(h.members.size());
            ASSERT_GE(size, 1);
            ASSERT_LE(size, 6);
            ++household_sizes[size];
            for (const auto& p : h.members) {
                ++people;
                int age = AgeOn(p.birth_date, kToday);
                EXPECT_TRUE(IsValidDate(p.birth_date));
                if (p.doc_type == DocType::kIdCard) {
                    auto info = ParseIdNumber(p.doc_number, kToday);
                    ASSERT_TRUE(info.ok()) << p.doc_number << ": " << info.error().message;
                    EXPECT_TRUE(info->synthetic);
                    EXPECT_EQ(p.doc_number.substr(0, 3), "990");
                    EXPECT_EQ(info->birth_date, p.birth_date);
                    EXPECT_EQ(info->sex, p.sex);
                } else if (p.doc_type == DocType::kNone) {
                    ++no_doc;
                    EXPECT_TRUE(p.doc_number.empty());
                } else {
                    EXPECT_TRUE(ValidateDocument(p.doc_type, p.doc_number).ok()) << p.doc_number;
                }
                if (!p.doc_number.empty()) {
                    EXPECT_TRUE(ids.insert(p.doc_number).second) << "duplicate " << p.doc_number;
                }
                if (!p.phone.empty()) {
                    EXPECT_TRUE(ValidatePhone(p.phone).ok());
                    EXPECT_EQ(p.phone.substr(0, 5), "19900");
                }
                if (age >= 60) ++elderly60;
                if (age >= 80) ++elderly80;
                if (age < 1) ++infants;
                EXPECT_EQ((p.tags & tags::kInfant) != 0, age < 1);
                if (p.tags & tags::kDisabled) ++disabled;
                if (p.sex == Sex::kFemale && age >= 20 && age <= 40) {
                    ++women_20_40;
                    if (p.tags & tags::kPregnant) ++pregnant;
                } else {
                    EXPECT_FALSE(p.tags & tags::kPregnant);
                }
                if (p.tags & tags::kBedridden) {
                    ++bedridden;
                    if (age >= 80) ++bedridden_80;
                }
                if (age >= 60 && (p.tags & tags::kChronic)) ++chronic_60;
                if (people % 50 == 0)
                    initials_mismatch += PinyinInitials(p.name) != p.name_initials;
            }
        }
    }
    auto share = [&](int64_t n) { return double(n) / double(people); };
    EXPECT_GT(people, 5000);
    EXPECT_LT(people, 7000);
    EXPECT_GE(buildings.size(), 13u);
    EXPECT_LE(buildings.size(), 17u);
    EXPECT_GE(grids.size(), 3u);
    double mean_household = double(people) / double(households);
    EXPECT_GT(mean_household, 2.4);
    EXPECT_LT(mean_household, 2.8);
    EXPECT_GT(household_sizes[1], household_sizes[6]);
    EXPECT_NEAR(share(elderly60), 0.18, 0.03);
    EXPECT_NEAR(share(elderly80), 0.025, 0.01);
    EXPECT_NEAR(share(infants), 0.01, 0.005);
    EXPECT_NEAR(share(disabled), 0.06, 0.015);
    EXPECT_NEAR(double(pregnant) / double(women_20_40), 0.01, 0.01);
    EXPECT_NEAR(share(bedridden), 0.005, 0.003);
    EXPECT_GT(bedridden_80 * 2, bedridden) << "bedridden should be mostly 80+";
    EXPECT_NEAR(double(chronic_60) / double(elderly60), 0.15, 0.04);
    EXPECT_LT(share(no_doc), 0.01);
    // The generator's initials agree with ICU's transliteration for nearly every name.
    EXPECT_LE(initials_mismatch, people / 50 / 20);
    std::printf(
        "community: %lld people, %lld households (mean %.2f), 60+ %.1f%%, 80+ %.1f%%, "
        "infants %.2f%%, disabled %.1f%%, bedridden %.2f%%\n",
        static_cast<long long>(people), static_cast<long long>(households), mean_household,
        100 * share(elderly60), 100 * share(elderly80), 100 * share(infants), 100 * share(disabled),
        100 * share(bedridden));
}

TEST(SyntheticPopulationTest, PlansMatchTheScales) {
    EXPECT_NEAR(PlanFor(Scale::kCommunity).target_residents(), 6000, 100);
    EXPECT_NEAR(PlanFor(Scale::kStreet).target_residents(), 60000, 1000);
    EXPECT_NEAR(PlanFor(Scale::kDistrict).target_residents(), 1100000, 20000);
    EXPECT_NEAR(PlanFor(Scale::kCity).target_residents(), 17600000, 300000);
    Scale s;
    EXPECT_TRUE(ParseScale("district", &s));
    EXPECT_EQ(s, Scale::kDistrict);
    EXPECT_FALSE(ParseScale("planet", &s));
}

TEST(SyntheticPopulationTest, StreetScaleHasTenCommunitiesWithUniqueNames) {
    PopulationGenerator gen({.scale = Scale::kStreet, .seed = 3, .reference_date = kToday});
    std::set<std::string> communities;
    int64_t people = 0;
    SyntheticBuilding b;
    while (gen.Next(&b)) {
        communities.insert(b.community);
        people += b.resident_count();
    }
    EXPECT_EQ(communities.size(), 10u);
    EXPECT_NEAR(double(people), 60000, 6000);
}

}  // namespace
}  // namespace bulwark::registry
