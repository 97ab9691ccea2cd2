#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/sampling_access.hpp"
#include "testing/model.hpp"

namespace bulwark::testing {

// A site's fields as a person gave them; on edit only the given ones change. Tables with an id
// keep it (their tubes refer to it); tables left out of an edit are retired.
struct SiteInput {
    std::optional<int64_t> community_id;  // on create only
    std::optional<std::string> name;
    std::optional<std::string> address;
    std::optional<std::vector<OpeningHours>> hours;
    std::optional<std::vector<SiteTable>> tables;
};

// Labs and sampling sites: who may see and change them, validation, audit. A site outside the
// caller's scope answers kNotFound "未找到" like a missing id. Thread-safe.
class SiteService {
public:
    SiteService(db::Database& db, Clock& clock, std::shared_ptr<registry::SamplingAccess> access);

    Result<std::vector<Lab>> ListLabs(const auth::Principal& who);
    // Labs are shared by every community: labs.write anywhere creates one. A name in use is
    // kAlreadyExists.
    Result<Lab> CreateLab(const auth::Principal& who, const std::string& name);

    // Sites the caller may see (sites.read), of one community when community_id is not 0.
    Result<std::vector<Site>> ListSites(const auth::Principal& who, int64_t community_id);
    Result<Site> GetSite(const auth::Principal& who, int64_t id);
    Result<Site> CreateSite(const auth::Principal& who, const SiteInput& input);
    // A stale version is kFailedPrecondition (field "version").
    Result<Site> UpdateSite(const auth::Principal& who, int64_t id, int64_t version,
                            const SiteInput& input);

private:
    db::Database& db_;
    Clock& clock_;
    std::shared_ptr<registry::SamplingAccess> access_;
};

}  // namespace bulwark::testing
