#pragma once

#include <cstdint>
#include <string>

#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"

namespace bulwark::registry {

// Personal codes as pictures and printed cards. A code carries the resident's page link with
// the opaque token (never the ID number); whoever holds it can open that page, so handing one
// out is audited like a read of personal data. Residents outside the caller's scope answer
// kNotFound "未找到", like missing ones. Thread-safe.
class CodeService {
public:
    CodeService(db::Database& db, Clock& clock);

    // The resident's QR code as SVG; needs residents.read over the resident. Audited
    // "resident.code".
    Result<std::string> CodeSvg(const auth::Principal& who, int64_t resident_id,
                                const std::string& origin);

    // A4 PDF of cards for every resident of a household or of a building (exactly one of the
    // ids non-zero); needs codes.print over it. Audited "resident.codes_print" with the count.
    // kInvalidArgument without an id, or past kMaxCards residents.
    Result<std::string> CardsPdf(const auth::Principal& who, int64_t building_id,
                                 int64_t household_id, const std::string& origin);

    static constexpr int kMaxCards = 2000;

private:
    db::Database& db_;
    Clock& clock_;
};

}  // namespace bulwark::registry
