#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "auth/personal_data.hpp"
#include "auth/principal.hpp"
#include "base/clock.hpp"
#include "base/result.hpp"
#include "db/database.hpp"
#include "registry/import/column_mapping.hpp"
#include "registry/import/import_plan.hpp"
#include "registry/import/import_rows.hpp"
#include "registry/import/workbook.hpp"

namespace bulwark::registry {

// The resident import from end to end, synchronously: check a workbook (a dry run that writes
// nothing) and apply it all-or-nothing. Used by the web wizard's background jobs
// (import_jobs.hpp) and by `bulwark import residents`. Thread-safe (holds references to
// thread-safe things only).
class ResidentImporter {
public:
    ResidentImporter(db::Database& db, const auth::PersonalDataCipher& cipher, Clock& clock);

    // Where to read: the sheet (index), the header row (1-based) and the column of each field.
    struct Layout {
        int sheet = 0;
        int header_row = 0;
        ColumnMapping mapping;
    };
    // The layout GuessHeader finds.
    static Layout GuessLayout(const Workbook& workbook);
    // Errors for the required columns (姓名, 楼栋, 房号) that the mapping lacks.
    static std::vector<RowError> MissingColumns(const Layout& layout);

    struct Checked {
        int rows_total = 0;
        std::vector<ImportRow> rows;   // the rows to apply (all of them when errors is empty)
        std::vector<RowError> errors;  // every bad row, in row order
        ImportSummary summary;         // what applying would do now
    };
    // Reads the rows of `layout` and matches them against the community (a read transaction).
    // kNotFound for a community the caller may not import into.
    using Progress = std::function<void(int done, int total)>;
    Result<Checked> Check(const auth::Principal& who, int64_t community_id,
                          const Workbook& workbook, const Layout& layout,
                          const Progress& progress = {});

    // Applies `rows` in one write transaction with one audit row "resident.import" (detail: the
    // import id, file name and counts). When the rows no longer check out against the database
    // (someone changed it meanwhile) nothing is written: kFailedPrecondition, with the row
    // errors in `*errors`.
    struct Audit {
        std::string import_id;
        std::string filename;
    };
    Result<ImportSummary> Apply(const auth::Principal& who, int64_t community_id,
                                const std::vector<ImportRow>& rows, const ColumnMapping& mapping,
                                const Audit& audit, std::vector<RowError>* errors,
                                const Progress& progress = {});

    // The community to import into when none is named: the only one the caller may import
    // into. kInvalidArgument (field community_id) when there are several or none.
    Result<int64_t> DefaultCommunity(const auth::Principal& who);

    int32_t Today() const;

private:
    db::Database& db_;
    const auth::PersonalDataCipher& cipher_;
    Clock& clock_;
};

}  // namespace bulwark::registry
