// LoadPopulation: the synthetic population written through the registry store, with generation
// and sealing on one thread, places on the caller's, and rows on writer threads.
#include <sodium.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "registry/registry_store.hpp"
#include "registry/sealing.hpp"
#include "registry/synthetic_population.hpp"

namespace bulwark::registry {
namespace {

// One building ready to insert: rows sealed, ids not yet assigned (a resident's household_id
// holds the index of its household in `households` until then).
struct SealedBuilding {
    SyntheticBuilding place;  // names and indexes; its households' members are cleared
    std::vector<Household> households;
    std::vector<Resident> residents;
    LoadReport groups;  // priority-group counts only
};

// Random bytes for code tokens, drawn from libsodium 4 KiB at a time.
class TokenSource {
public:
    std::string Next() {
        if (used_ == kTokens) {
            randombytes_buf(bytes_.data(), bytes_.size());
            used_ = 0;
        }
        return CodeTokenFromBytes(bytes_.data() + 16 * used_++);
    }

private:
    static constexpr size_t kTokens = 256;
    std::array<unsigned char, 16 * kTokens> bytes_{};
    size_t used_ = kTokens;
};

void CountGroups(const SyntheticPerson& p, int32_t today, LoadReport* r) {
    int age = AgeOn(p.birth_date, today);
    r->elderly_60 += age >= 60;
    r->elderly_80 += age >= 80;
    r->infants += (p.tags & tags::kInfant) != 0;
    r->disabled += (p.tags & tags::kDisabled) != 0;
    r->pregnant += (p.tags & tags::kPregnant) != 0;
    r->bedridden += (p.tags & tags::kBedridden) != 0;
    r->chronic += (p.tags & tags::kChronic) != 0;
}

SealedBuilding Seal(SyntheticBuilding&& b, const auth::PersonalDataCipher& cipher,
                    TokenSource& tokens, int64_t now, int32_t today) {
    SealedBuilding out;
    out.households.reserve(b.households.size());
    out.residents.reserve(static_cast<size_t>(b.resident_count()));
    for (size_t hi = 0; hi < b.households.size(); ++hi) {
        SyntheticHousehold& h = b.households[hi];
        out.households.push_back({.unit = h.unit, .room = h.room, .floor = h.floor});
        for (SyntheticPerson& p : h.members) {
            CountGroups(p, today, &out.groups);
            Resident r;
            r.household_id = static_cast<int64_t>(hi);
            r.name = std::move(p.name);
            r.name_initials = std::move(p.name_initials);
            SealDocument(cipher, p.doc_type, p.doc_number, &r);
            SealPhone(cipher, p.phone, &r);
            r.sex = p.sex;
            r.birth_date = p.birth_date;
            r.residency = p.residency;
            r.presence = p.presence;
            r.tags = p.tags;
            r.code_token = tokens.Next();
            r.code_issued_at = r.created_at = r.updated_at = now;
            r.version = 1;
            out.residents.push_back(std::move(r));
        }
    }
    b.households.clear();
    out.place = std::move(b);
    return out;
}

// A bounded queue between threads: the generator and the dispatcher, the dispatcher and the
// writers.
template <class T>
class BoundedQueue {
public:
    explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}
    // False if the consumer gave up.
    bool Push(T item) {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return items_.size() < capacity_ || cancelled_; });
        if (cancelled_) return false;
        items_.push_back(std::move(item));
        cv_.notify_all();
        return true;
    }
    void Finish() {
        std::lock_guard lock(mu_);
        finished_ = true;
        cv_.notify_all();
    }
    void Cancel() {
        std::lock_guard lock(mu_);
        cancelled_ = true;
        cv_.notify_all();
    }
    // nullopt once the producer finished and everything was taken.
    std::optional<T> Pop() {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !items_.empty() || finished_; });
        if (items_.empty()) return std::nullopt;
        T item = std::move(items_.front());
        items_.pop_front();
        cv_.notify_all();
        return item;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<T> items_;
    size_t capacity_;
    bool finished_ = false;
    bool cancelled_ = false;
};

// Inserts one building, then its households and residents (their ids and places already
// assigned; the building id is filled in here).
Status WriteBuilding(db::Session& s, SealedBuilding& b, const Building& place, int64_t now) {
    ASSIGN_OR_RETURN(Building building, RegistryStore::InsertBuilding(s, place, now));
    for (Household& h : b.households) h.building_id = building.id;
    for (Resident& r : b.residents) r.building_id = building.id;
    RETURN_IF_ERROR(RegistryStore::InsertHouseholdsBulk(s, b.households));
    return RegistryStore::InsertResidentsBulk(s, b.residents);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void AddCounts(const SealedBuilding& b, LoadReport* r) {
    r->buildings += 1;
    r->households += static_cast<int64_t>(b.households.size());
    r->residents += static_cast<int64_t>(b.residents.size());
    r->elderly_60 += b.groups.elderly_60;
    r->elderly_80 += b.groups.elderly_80;
    r->infants += b.groups.infants;
    r->disabled += b.groups.disabled;
    r->pregnant += b.groups.pregnant;
    r->bedridden += b.groups.bedridden;
    r->chronic += b.groups.chronic;
}

// One building on its way to a writer thread.
struct WriteJob {
    SealedBuilding building;
    Building place;  // street, community, grid, name, floors
};

}  // namespace

Result<LoadReport> LoadPopulation(db::Database& db, const auth::PersonalDataCipher& cipher,
                                  Clock& clock, const PopulationOptions& options,
                                  const std::function<void(const LoadReport&)>& progress) {
    if (sodium_init() < 0) return Internal("libsodium 初始化失败");
    auto start = std::chrono::steady_clock::now();
    const int64_t now = clock.NowMillis();

    RegistryStore::NextIds next;
    RETURN_IF_ERROR(db.Write([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(int64_t residents, RegistryStore::CountAllResidents(s));
        ASSIGN_OR_RETURN(std::vector<Street> streets, RegistryStore::ListStreets(s));
        if (residents > 0 || !streets.empty()) {
            return FailedPrecondition("数据库不是空的 (已有 " + std::to_string(streets.size()) +
                                      " 个街道、" + std::to_string(residents) +
                                      " 名居民): 演示数据和合成人口只写入空数据库");
        }
        RETURN_IF_ERROR(RegistryStore::DropBulkLoadIndexes(s));
        ASSIGN_OR_RETURN(next, RegistryStore::NextFreeIds(s));
        return Ok();
    }));

    // Thread 1 generates and seals buildings; this thread creates places and numbers rows; the
    // writer threads insert buildings. SQLite has one writer connection, so one writer thread
    // keeps ids in generation order; PostgreSQL's writer connections take buildings in parallel.
    BoundedQueue<SealedBuilding> sealed(3);
    std::optional<Error> producer_error;
    std::thread producer([&] {
        try {
            PopulationGenerator generator(options);
            TokenSource tokens;
            SyntheticBuilding b;
            while (generator.Next(&b)) {
                if (!sealed.Push(
                        Seal(std::move(b), cipher, tokens, now, generator.reference_date()))) {
                    break;
                }
                b = SyntheticBuilding();
            }
        } catch (const std::exception& e) {
            producer_error = Internal(std::string("生成人口时出错: ") + e.what());
        }
        sealed.Finish();
    });

    const int writers = db.dialect() == db::Dialect::kPostgres ? 3 : 1;
    BoundedQueue<WriteJob> jobs(static_cast<size_t>(writers));
    std::mutex mu;  // guards report and failed
    LoadReport report;
    Status failed = Ok();
    auto fail = [&](Status s) {
        std::lock_guard lock(mu);
        if (failed.ok()) failed = std::move(s);
        sealed.Cancel();
        jobs.Cancel();
    };
    std::vector<std::thread> writer_threads;
    for (int i = 0; i < writers; ++i) {
        writer_threads.emplace_back([&] {
            while (auto job = jobs.Pop()) {
                Status s = db.Write([&](db::Session& session) {
                    return WriteBuilding(session, job->building, job->place, now);
                });
                if (!s.ok()) {
                    fail(std::move(s));
                    return;
                }
                std::lock_guard lock(mu);
                AddCounts(job->building, &report);
            }
        });
    }

    int street_index = -1, community_index = -1, grid_index = -1;
    Building place;
    while (auto item = sealed.Pop()) {
        SealedBuilding& b = *item;
        // New places commit before any building in them is written (writers run in parallel).
        LoadReport added;
        bool new_place = b.place.street_index != street_index ||
                         b.place.community_index != community_index ||
                         b.place.grid_index != grid_index;
        Status s = !new_place ? Ok() : db.Write([&](db::Session& s) -> Status {
            if (b.place.street_index != street_index) {
                ASSIGN_OR_RETURN(
                    Street st, RegistryStore::InsertStreet(
                                   s, {.name = b.place.street, .district = b.place.district}, now));
                place.street_id = st.id;
                added.streets = 1;
            }
            if (b.place.community_index != community_index) {
                ASSIGN_OR_RETURN(
                    Community c,
                    RegistryStore::InsertCommunity(
                        s, {.street_id = place.street_id, .name = b.place.community}, now));
                place.community_id = c.id;
                added.communities = 1;
            }
            if (b.place.grid_index != grid_index) {
                ASSIGN_OR_RETURN(
                    Grid g,
                    RegistryStore::InsertGrid(
                        s, {.community_id = place.community_id, .name = b.place.grid}, now));
                place.grid_id = g.id;
                added.grids = 1;
            }
            return Ok();
        });
        if (!s.ok()) {
            fail(std::move(s));
            break;
        }
        street_index = b.place.street_index;
        community_index = b.place.community_index;
        grid_index = b.place.grid_index;
        place.name = b.place.name;
        place.floors = b.place.floors;
        int64_t first_household = next.household;
        for (size_t i = 0; i < b.households.size(); ++i) {
            b.households[i].id = first_household + static_cast<int64_t>(i);
        }
        for (size_t i = 0; i < b.residents.size(); ++i) {
            Resident& r = b.residents[i];
            r.id = next.resident + static_cast<int64_t>(i);
            r.household_id += first_household;
            r.grid_id = place.grid_id;
            r.community_id = place.community_id;
            r.street_id = place.street_id;
        }
        next.household += static_cast<int64_t>(b.households.size());
        next.resident += static_cast<int64_t>(b.residents.size());
        LoadReport snapshot;
        {
            std::lock_guard lock(mu);
            report.streets += added.streets;
            report.communities += added.communities;
            report.grids += added.grids;
            report.load_seconds = SecondsSince(start);
            snapshot = report;
        }
        if (!jobs.Push({.building = std::move(b), .place = place})) break;
        if (progress) progress(snapshot);
    }
    jobs.Finish();
    for (std::thread& t : writer_threads) t.join();
    producer.join();
    if (!failed.ok()) {
        // Leave what was written usable: its unique indexes back in place.
        (void)db.Write([](db::Session& s) { return RegistryStore::CreateBulkLoadIndexes(s); });
        return std::move(failed).error();
    }
    if (producer_error) return *producer_error;
    report.load_seconds = SecondsSince(start);

    auto index_start = std::chrono::steady_clock::now();
    RETURN_IF_ERROR(db.Write([](db::Session& s) -> Status {
        RETURN_IF_ERROR(RegistryStore::CreateBulkLoadIndexes(s));
        RETURN_IF_ERROR(RegistryStore::ResyncIdSequences(s));
        return RegistryStore::AnalyzeLoadedTables(s);
    }));
    report.index_seconds = SecondsSince(index_start);
    if (progress) progress(report);
    return report;
}

}  // namespace bulwark::registry
