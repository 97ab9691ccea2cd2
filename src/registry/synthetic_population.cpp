#include "registry/synthetic_population.hpp"

#include <algorithm>
#include <cmath>

#include "registry/id_number.hpp"
#include "registry/synthetic_names.hpp"

namespace bulwark::registry {
namespace {

uint64_t SplitMix64(uint64_t* x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
int64_t DaysFromCivil(int y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}
int64_t DaysFromDate(int32_t yyyymmdd) {
    return DaysFromCivil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}
int32_t DateFromDays(int64_t days) { return DateFromMillis(days * 86400000LL - 8LL * 3600 * 1000); }

// Cumulative weights of a name table, for weighted picks.
struct WeightedTable {
    std::span<const synthetic::NamePart> parts;
    std::vector<uint32_t> cumulative;
    explicit WeightedTable(std::span<const synthetic::NamePart> p) : parts(p) {
        uint32_t sum = 0;
        for (const auto& part : parts) cumulative.push_back(sum += part.weight);
    }
    const synthetic::NamePart& Pick(SplitMixXoshiro& rng) const {
        uint32_t x = static_cast<uint32_t>(rng.Below(cumulative.back()));
        size_t i = std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin();
        return parts[i];
    }
};

const WeightedTable& Surnames() {
    static const WeightedTable t(synthetic::Surnames());
    return t;
}
const WeightedTable& GivenChars(Sex sex) {
    static const WeightedTable male(synthetic::MaleGivenChars());
    static const WeightedTable female(synthetic::FemaleGivenChars());
    return sex == Sex::kMale ? male : female;
}
const WeightedTable& NeutralChars() {
    static const WeightedTable t(synthetic::NeutralGivenChars());
    return t;
}

// Picks index i with probability weights[i] / sum.
size_t PickIndex(SplitMixXoshiro& rng, std::initializer_list<double> weights) {
    double sum = 0;
    for (double w : weights) sum += w;
    double x = rng.Unit() * sum;
    size_t i = 0;
    for (double w : weights) {
        if (x < w) return i;
        x -= w;
        ++i;
    }
    return weights.size() - 1;
}

// A bijection on [0, n) for n of 500 or 1000: spreads consecutive counters over the range.
int Scramble(int x, int n) { return static_cast<int>((static_cast<int64_t>(x) * 337 + 101) % n); }

std::string Digits(int64_t value, int width) {
    std::string s = std::to_string(value);
    return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, '0') + s;
}

}  // namespace

SplitMixXoshiro::SplitMixXoshiro(uint64_t seed) {
    for (auto& word : s_) word = SplitMix64(&seed);
}

uint64_t SplitMixXoshiro::Next() {
    uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
}

uint64_t SplitMixXoshiro::Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
}

double SplitMixXoshiro::Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

std::string_view ScaleName(Scale scale) {
    switch (scale) {
        case Scale::kCommunity:
            return "community";
        case Scale::kStreet:
            return "street";
        case Scale::kDistrict:
            return "district";
        case Scale::kCity:
            return "city";
    }
    return "community";
}

bool ParseScale(std::string_view name, Scale* out) {
    for (Scale s : {Scale::kCommunity, Scale::kStreet, Scale::kDistrict, Scale::kCity}) {
        if (ScaleName(s) == name) {
            *out = s;
            return true;
        }
    }
    return false;
}

PopulationPlan PlanFor(Scale scale) {
    switch (scale) {
        case Scale::kCommunity:
            return {1, 1, 1, 6000, 400};
        case Scale::kStreet:
            return {1, 1, 10, 6000, 400};
        // ~1.1 million in 18 streets; high-rise buildings of ~880 residents on average.
        case Scale::kDistrict:
            return {1, 18, 10, 6100, 880};
        // Shenzhen's ~17.6 million: 16 such districts in ~20,000 buildings.
        case Scale::kCity:
            return {16, 18, 10, 6100, 880};
    }
    return {};
}

int64_t SyntheticBuilding::resident_count() const {
    int64_t n = 0;
    for (const auto& h : households) n += static_cast<int64_t>(h.members.size());
    return n;
}

struct PopulationGenerator::State {
    PopulationOptions options;
    PopulationPlan plan;
    SplitMixXoshiro rng;
    int32_t today = 0;
    int64_t today_days = 0;

    // Position: indexes within the parent level, and global counters.
    int district = 0, street = 0, community = 0;  // within parent
    int street_global = 0, community_global = 0, grid_global = 0;
    bool started = false, done = false;
    // The current community's buildings: target sizes and grid numbers.
    std::vector<int> building_sizes;
    std::vector<int> building_grids;
    size_t next_building = 0;
    int grid_base = 0;  // grid_global of the community's first grid

    // ID serial numbers handed out per (birth day, sex), and per other document type.
    std::vector<int32_t> id_serials;
    int64_t first_day = 0;
    int passport_serial = 0, hk_serial = 0, taiwan_serial = 0;

    explicit State(const PopulationOptions& o) : options(o), plan(PlanFor(o.scale)), rng(o.seed) {}

    bool demo_names() const {
        return options.scale == Scale::kCommunity || options.scale == Scale::kStreet;
    }

    void BeginCommunity() {
        double jitter = options.scale == Scale::kCommunity ? 0.02 : 0.15;
        int target =
            static_cast<int>(plan.residents_per_community * (1 - jitter + 2 * jitter * rng.Unit()));
        int count = std::max(
            1, static_cast<int>(std::lround(double(target) / plan.mean_building_residents)));
        std::vector<double> weights(count);
        double sum = 0;
        for (double& w : weights) sum += (w = 0.4 + 1.2 * rng.Unit());
        building_sizes.assign(count, 0);
        for (int i = 0; i < count; ++i) {
            building_sizes[i] = std::clamp(static_cast<int>(target * weights[i] / sum), 100, 2000);
        }
        int grids = std::max(1, static_cast<int>(std::lround(count / 4.0)));
        building_grids.assign(count, 0);
        for (int i = 0; i < count; ++i) building_grids[i] = i * grids / count;
        grid_base = grid_global;
        grid_global += grids;
        next_building = 0;
    }

    // Moves to the next community (and street, district) when the current one is finished.
    bool Advance() {
        if (!started) {
            started = true;
            BeginCommunity();
            return true;
        }
        if (next_building < building_sizes.size()) return true;
        ++community_global;
        if (++community >= plan.communities_per_street) {
            community = 0;
            ++street_global;
            if (++street >= plan.streets_per_district) {
                street = 0;
                if (++district >= plan.districts) return false;
            }
        }
        BeginCommunity();
        return true;
    }

    std::string DistrictName() const {
        if (demo_names()) return "演示区";
        return synthetic::DistrictNames()[district % synthetic::DistrictNames().size()];
    }
    std::string StreetName() const {
        if (demo_names()) return "演示街道";
        auto words = synthetic::PlaceWords();
        return std::string(words[(district * 11 + street) % words.size()]) + "街道";
    }
    std::string CommunityName() const {
        if (demo_names() && community == 0) return "雅仕居社区";
        auto words = synthetic::PlaceWords();
        auto suffixes = synthetic::CommunitySuffixes();
        return std::string(words[(street_global * 7 + community) % words.size()]) +
               suffixes[community % suffixes.size()];
    }

    int HouseholdSize() {
        // 2020 census shares of one- to six-person households (six stands for six or more).
        return 1 + static_cast<int>(PickIndex(rng, {25.4, 29.7, 20.9, 13.2, 6.2, 4.6}));
    }

    int AdultAge() {
        switch (PickIndex(rng, {37, 38.5, 18.5, 6})) {
            case 0:
                return rng.Between(20, 34);
            case 1:
                return rng.Between(35, 59);
            case 2:
                return rng.Between(60, 79);
            default:
                return rng.Between(80, 96);
        }
    }

    // Ages and sexes of a household of `size` people in the shapes Chinese households commonly
    // take: one person; a couple or a parent with a grown child; a family with children (and
    // grandparents); or an elderly couple living with a grown child and grandchildren.
    std::vector<std::pair<int, Sex>> Members(int size) {
        std::vector<std::pair<int, Sex>> m;
        auto other = [](Sex s) { return s == Sex::kMale ? Sex::kFemale : Sex::kMale; };
        auto any_sex = [&] { return rng.Chance(0.515) ? Sex::kMale : Sex::kFemale; };
        auto couple = [&](int head) {
            Sex sex = any_sex();
            m.push_back({head, sex});
            m.push_back({std::clamp(head + rng.Between(-4, 4), 20, 99), other(sex)});
        };
        if (size == 1) {
            m.push_back({AdultAge(), any_sex()});
            return m;
        }
        if (size == 2) {
            int head = AdultAge();
            if (head >= 45 && rng.Chance(0.35)) {
                m.push_back({head, any_sex()});
                m.push_back({head - rng.Between(22, 34), any_sex()});
            } else {
                couple(head);
            }
            return m;
        }
        if (rng.Chance(0.25)) {
            int head = rng.Between(55, 80);
            couple(head);
            int child = head - rng.Between(22, 34);
            m.push_back({child, any_sex()});
            while (static_cast<int>(m.size()) < size) {
                int gap = rng.Between(22, 34);
                m.push_back({child > gap ? child - gap : rng.Between(0, 12), any_sex()});
            }
            return m;
        }
        // A family: the eldest child's age first, the parents' from it.
        int eldest = rng.Between(0, 28);
        int head = eldest + rng.Between(22, 36);
        couple(head);
        // Grandparents live in to look after young children.
        int grandparents = eldest > 14 ? 0
                           : size == 4 ? (rng.Chance(0.45) ? 1 : 0)
                           : size == 5 ? rng.Between(1, 2)
                           : size == 6 ? 2
                                       : 0;
        int children = size - 2 - grandparents;
        m.push_back({eldest, any_sex()});
        for (int i = 1; i < children; ++i) {
            int younger = eldest - rng.Between(1, 8);
            m.push_back({younger >= 0 ? younger : rng.Between(0, eldest), any_sex()});
        }
        Sex gp = any_sex();
        for (int i = 0; i < grandparents; ++i) {
            m.push_back({std::min(99, head + rng.Between(24, 34)), i == 0 ? gp : other(gp)});
        }
        return m;
    }

    std::string IdNumber(int32_t birth, Sex sex) {
        // Serials count per birth day and sex, so every number is unique: 500 per day and sex
        // under each of 1,000 region codes.
        size_t day = static_cast<size_t>(std::max<int64_t>(0, DaysFromDate(birth) - first_day));
        int32_t serial = id_serials.at(day * 2 + (sex == Sex::kMale ? 1 : 0))++;
        int region = Scramble(serial / 500 % 1000, 1000);
        int order = Scramble(serial % 500, 500) * 2 + (sex == Sex::kMale ? 1 : 0);
        std::string first17 = "990" + Digits(region, 3) + std::to_string(birth) + Digits(order, 3);
        return first17 + IdCheckCharacter(first17);
    }

    std::string Name(Sex sex, const synthetic::NamePart* surname, std::string* initials) {
        std::string name = surname->text;
        *initials = surname->initials;
        int given = rng.Chance(0.25) ? 1 : 2;
        for (int i = 0; i < given; ++i) {
            const auto& part =
                rng.Chance(0.3) ? NeutralChars().Pick(rng) : GivenChars(sex).Pick(rng);
            name += part.text;
            *initials += part.initials;
        }
        return name;
    }

    SyntheticPerson Person(int age, Sex sex, const synthetic::NamePart* surname,
                           Residency residency, const std::string& family_phone) {
        SyntheticPerson p;
        p.sex = sex;
        p.residency = residency;
        p.name = Name(sex, surname, &p.name_initials);
        // A day in (today - (age + 1) years, today - age years]: exactly `age` years old.
        int y = today / 10000, md = today % 10000;
        int64_t latest = DaysFromCivil(y - age, md / 100, md % 100);
        int64_t earliest = DaysFromCivil(y - age - 1, md / 100, md % 100) + 1;
        p.birth_date = DateFromDays(earliest + static_cast<int64_t>(rng.Below(
                                                   static_cast<uint64_t>(latest - earliest + 1))));
        age = AgeOn(p.birth_date, today);
        double doc = rng.Unit();
        if (age < 1 && doc < 0.3) {
            p.doc_type = DocType::kNone;
        } else if (doc < 0.006) {
            p.doc_type = DocType::kPassport;
            p.doc_number = "E99" + Digits(Scramble(passport_serial++ % 1000000, 1000000), 6);
        } else if (doc < 0.010) {
            p.doc_type = DocType::kHkMacau;
            p.doc_number = (rng.Chance(0.8) ? "H99" : "M99") + Digits(hk_serial++, 6);
        } else if (doc < 0.012) {
            p.doc_type = DocType::kTaiwan;
            p.doc_number = "99" + Digits(taiwan_serial++, 6);
        } else {
            p.doc_type = DocType::kIdCard;
            p.doc_number = IdNumber(p.birth_date, sex);
        }
        double has_phone = age < 16 ? 0 : age >= 80 ? 0.6 : 0.95;
        if (rng.Chance(has_phone)) {
            p.phone = "19900" + Digits(static_cast<int64_t>(rng.Below(1000000)), 6);
        } else if (age < 16 && rng.Chance(0.5)) {
            p.phone = family_phone;
        }
        if (rng.Chance(age < 18 ? 0.02 : age < 60 ? 0.045 : 0.16)) p.tags |= tags::kDisabled;
        if (sex == Sex::kFemale && age >= 20 && age <= 40 && rng.Chance(0.01))
            p.tags |= tags::kPregnant;
        if (age < 1) p.tags |= tags::kInfant;
        if (rng.Chance(age >= 80 ? 0.15 : age >= 60 ? 0.006 : 0.0004)) p.tags |= tags::kBedridden;
        if (rng.Chance(age >= 60 ? 0.15 : age >= 40 ? 0.03 : 0.0)) p.tags |= tags::kChronic;
        size_t presence = PickIndex(rng, {92, 6, 2});
        p.presence = presence == 0   ? Presence::kPresent
                     : presence == 1 ? Presence::kAway
                                     : Presence::kMovedOut;
        return p;
    }

    SyntheticHousehold Household(std::string unit, int floor, int room) {
        SyntheticHousehold h;
        h.unit = std::move(unit);
        h.floor = floor;
        h.room = std::to_string(floor) + Digits(room, 2);
        size_t kind = PickIndex(rng, {72, 14, 14});
        Residency residency = kind == 0   ? Residency::kPermanent
                              : kind == 1 ? Residency::kTenant
                                          : Residency::kFloating;
        const synthetic::NamePart* family = &Surnames().Pick(rng);
        std::string family_phone = "19900" + Digits(static_cast<int64_t>(rng.Below(1000000)), 6);
        auto members = Members(HouseholdSize());
        for (size_t i = 0; i < members.size(); ++i) {
            // Spouses and one side of the grandparents keep their own surnames.
            bool own_surname = i == 1 || (i >= 2 && members[i].first > members[0].first + 15 &&
                                          members[i].second == Sex::kFemale);
            const synthetic::NamePart* surname = own_surname ? &Surnames().Pick(rng) : family;
            h.members.push_back(
                Person(members[i].first, members[i].second, surname, residency, family_phone));
        }
        return h;
    }

    void Building(int size, SyntheticBuilding* b) {
        // Walk-ups for small buildings, towers for large ones; ~92% of homes occupied.
        int households = std::max(1, static_cast<int>(std::lround(size / 2.6)));
        int floors = size < 250   ? rng.Between(5, 7)
                     : size < 700 ? rng.Between(11, 18)
                                  : rng.Between(25, 33);
        int per_floor = size < 250 ? 2 : rng.Between(2, 4);
        int units =
            std::clamp(static_cast<int>(std::ceil(households / 0.92 / (floors * per_floor))), 1, 8);
        while (units * floors * per_floor < households) ++floors;
        double occupied = std::min(1.0, double(households) / (units * floors * per_floor));
        b->floors = floors;
        b->households.clear();
        for (int u = 1; u <= units; ++u) {
            std::string unit = std::to_string(u) + "单元";
            for (int f = 1; f <= floors; ++f) {
                for (int r = 1; r <= per_floor; ++r) {
                    if (rng.Chance(occupied)) b->households.push_back(Household(unit, f, r));
                }
            }
        }
    }
};

PopulationGenerator::PopulationGenerator(const PopulationOptions& options)
    : state_(std::make_unique<State>(options)) {
    State& st = *state_;
    st.today = options.reference_date != 0 ? options.reference_date
                                           : DateFromMillis(SystemClock::Instance().NowMillis());
    st.today_days = DaysFromDate(st.today);
    st.first_day = st.today_days - 102 * 366;
    st.id_serials.assign(static_cast<size_t>(st.today_days - st.first_day + 1) * 2, 0);
}

PopulationGenerator::~PopulationGenerator() = default;

const PopulationPlan& PopulationGenerator::plan() const { return state_->plan; }
int32_t PopulationGenerator::reference_date() const { return state_->today; }

bool PopulationGenerator::Next(SyntheticBuilding* out) {
    State& st = *state_;
    if (st.done || !st.Advance()) {
        st.done = true;
        return false;
    }
    size_t i = st.next_building++;
    out->district_index = st.district;
    out->street_index = st.street_global;
    out->community_index = st.community_global;
    out->grid_index = st.grid_base + st.building_grids[i];
    out->district = st.DistrictName();
    out->street = st.StreetName();
    out->community = st.CommunityName();
    out->grid = "第" + std::to_string(st.building_grids[i] + 1) + "网格";
    out->name = std::to_string(i + 1) + "栋";
    st.Building(st.building_sizes[i], out);
    return true;
}

}  // namespace bulwark::registry
