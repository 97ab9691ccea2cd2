#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/personal_data.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {

// The synthetic population: a deterministic generator of places and people for the demo
// community, the tests and the city-scale benchmarks. Everything it makes is marked as test
// data: national ID numbers start with region code 990 (no administrative region has it; see
// README.md), passports and permits carry "99" after their letter, phones start 19900.

// xoshiro256** seeded through splitmix64: the same numbers on every platform and standard
// library (std distributions are not portable across libstdc++ versions). Not thread-safe.
class SplitMixXoshiro {
public:
    explicit SplitMixXoshiro(uint64_t seed);
    uint64_t Next();
    // Uniform in [0, n); n > 0. (Multiply-shift: a bias below 2^-40 for the n we use.)
    uint64_t Below(uint64_t n);
    // Uniform in [lo, hi].
    int Between(int lo, int hi) {
        return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo + 1)));
    }
    // Uniform in [0, 1).
    double Unit();
    bool Chance(double p) { return Unit() < p; }

private:
    std::array<uint64_t, 4> s_;
};

enum class Scale { kCommunity, kStreet, kDistrict, kCity };
std::string_view ScaleName(Scale scale);  // "community", "street", "district", "city"
bool ParseScale(std::string_view name, Scale* out);

struct PopulationOptions {
    Scale scale = Scale::kCommunity;
    uint64_t seed = 20220401;
    // Ages are counted to this date (yyyymmdd); 0: today (China time).
    int32_t reference_date = 0;
};

// One generated person, with the document number and phone in plaintext (the loader seals them).
struct SyntheticPerson {
    std::string name;
    std::string name_initials;
    DocType doc_type = DocType::kIdCard;
    std::string doc_number;
    std::string phone;
    Sex sex = Sex::kUnknown;
    int32_t birth_date = 0;
    Residency residency = Residency::kPermanent;
    Presence presence = Presence::kPresent;
    uint32_t tags = 0;
};

struct SyntheticHousehold {
    std::string unit;  // "2单元"
    std::string room;  // "1203"
    int floor = 0;
    std::vector<SyntheticPerson> members;  // 1 to 6
};

// One building with its place names. The indexes say when a new district, street, community or
// grid begins (they count up in generation order, from 0).
struct SyntheticBuilding {
    int district_index = 0;
    int street_index = 0;     // across the whole population
    int community_index = 0;  // across the whole population
    int grid_index = 0;       // across the whole population
    std::string district;
    std::string street;
    std::string community;
    std::string grid;
    std::string name;  // "3栋"
    int floors = 0;
    std::vector<SyntheticHousehold> households;
    int64_t resident_count() const;
};

// The shape of a scale: how many of each level, and the mean building size.
struct PopulationPlan {
    int districts = 1;
    int streets_per_district = 1;
    int communities_per_street = 1;
    int residents_per_community = 6000;
    int mean_building_residents = 400;
    int64_t target_residents() const {
        return int64_t{districts} * streets_per_district * communities_per_street *
               residents_per_community;
    }
};
PopulationPlan PlanFor(Scale scale);

// Generates the population building by building, holding one building at a time (bounded memory
// at any scale). Deterministic: the same options give the same buildings in the same order.
// Not thread-safe.
class PopulationGenerator {
public:
    explicit PopulationGenerator(const PopulationOptions& options);
    ~PopulationGenerator();
    PopulationGenerator(const PopulationGenerator&) = delete;
    PopulationGenerator& operator=(const PopulationGenerator&) = delete;

    // Fills `out` with the next building; false when the population is complete.
    bool Next(SyntheticBuilding* out);
    const PopulationPlan& plan() const;
    int32_t reference_date() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// What a load made and how fast.
struct LoadReport {
    int64_t streets = 0;
    int64_t communities = 0;
    int64_t grids = 0;
    int64_t buildings = 0;
    int64_t households = 0;
    int64_t residents = 0;
    // Priority groups among the residents (60+ and 80+ as of the generator's reference date).
    int64_t elderly_60 = 0;
    int64_t elderly_80 = 0;
    int64_t infants = 0;
    int64_t disabled = 0;
    int64_t pregnant = 0;
    int64_t bedridden = 0;
    int64_t chronic = 0;
    double load_seconds = 0;   // generating and inserting rows
    double index_seconds = 0;  // rebuilding the unique indexes afterwards
    double total_seconds() const { return load_seconds + index_seconds; }
    double rows_per_second() const {
        return total_seconds() > 0 ? static_cast<double>(residents) / total_seconds() : 0;
    }
};

// Writes a generated population into `db` through the registry store, in one transaction per
// building (multi-row INSERTs of up to 500 rows), while the next buildings are generated and
// sealed on another thread (on PostgreSQL, three buildings are written at once). Memory stays
// bounded: a few buildings at a time. Refuses (kFailedPrecondition) a database that already has
// streets or residents. `progress`, if set, is called from the calling thread as buildings are
// handed to the writers, and once at the end.
Result<LoadReport> LoadPopulation(db::Database& db, const auth::PersonalDataCipher& cipher,
                                  Clock& clock, const PopulationOptions& options,
                                  const std::function<void(const LoadReport&)>& progress = {});

}  // namespace bulwark::registry
