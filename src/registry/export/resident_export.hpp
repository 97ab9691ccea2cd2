#pragma once

#include <cstdint>
#include <string>

#include "auth/principal.hpp"
#include "base/result.hpp"
#include "registry/registry_service.hpp"

namespace bulwark::registry {

// A filtered resident list as an .xlsx register (libxlsxwriter), for printing and for
// re-importing: the same Chinese headers the import recognises, a title row, and a closing line
// naming who exported it and when. Masked by default (110101********1234, 138****5678); the
// full document numbers and phones need residents.unmask over the residents and a stated
// reason. Every export writes an audit row ("resident.export" or "resident.export_unmasked",
// with the filters, the row count and the reason) before the file is made. Thread-safe.
class ResidentExporter {
public:
    ResidentExporter(RegistryService& registry, db::Database& db,
                     const auth::PersonalDataCipher& cipher, Clock& clock);

    struct Request {
        ResidentQuery filters;  // page and page_size are ignored: every matching resident
        bool unmasked = false;
        std::string reason;  // required when unmasked
    };
    struct File {
        std::string bytes;
        std::string filename;  // "居民名册-20240501-1030.xlsx"
        int64_t rows = 0;
    };
    static constexpr int64_t kMaxRows = 200000;

    // kPermissionDenied without residents.export (or residents.unmask for an unmasked export);
    // kInvalidArgument for an unmasked export without a reason, a bad filter, or more than
    // kMaxRows residents.
    Result<File> Export(const auth::Principal& who, const Request& request);

private:
    RegistryService& registry_;
    db::Database& db_;
    const auth::PersonalDataCipher& cipher_;
    Clock& clock_;
};

}  // namespace bulwark::registry
