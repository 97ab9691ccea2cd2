#include "registry/import/resident_import.hpp"

#include "auth/audit_log.hpp"
#include "registry/registry_store.hpp"

namespace bulwark::registry {

ResidentImporter::ResidentImporter(db::Database& db, const auth::PersonalDataCipher& cipher,
                                   Clock& clock)
    : db_(db), cipher_(cipher), clock_(clock) {}

int32_t ResidentImporter::Today() const { return DateFromMillis(clock_.NowMillis()); }

ResidentImporter::Layout ResidentImporter::GuessLayout(const Workbook& workbook) {
    HeaderGuess guess = GuessHeader(workbook);
    return {.sheet = guess.sheet, .header_row = guess.header_row, .mapping = guess.mapping};
}

std::vector<RowError> ResidentImporter::MissingColumns(const Layout& layout) {
    std::vector<RowError> out;
    if (layout.header_row == 0) {
        out.push_back(
            {.row = 0,
             .message = "找不到表头: 前 30 行中没有一行含有姓名、身份证号、楼栋、房号等列名"});
        return out;
    }
    for (ImportField f : {ImportField::kName, ImportField::kBuilding, ImportField::kRoom}) {
        if (layout.mapping[f] >= 0) continue;
        out.push_back({.row = layout.header_row,
                       .field = std::string(ImportFieldKey(f)),
                       .message = "第 " + std::to_string(layout.header_row) + " 行 (表头) 缺少「" +
                                  std::string(ImportFieldLabel(f)) + "」列"});
    }
    return out;
}

Result<ResidentImporter::Checked> ResidentImporter::Check(const auth::Principal& who,
                                                          int64_t community_id,
                                                          const Workbook& workbook,
                                                          const Layout& layout,
                                                          const Progress& progress) {
    Checked out;
    out.errors = MissingColumns(layout);
    if (!out.errors.empty()) return out;
    ExtractedRows extracted =
        ExtractRows(workbook, layout.sheet, layout.header_row, layout.mapping, progress);
    out.rows_total = extracted.rows_total;
    PlanOptions options{
        .community_id = community_id, .today = Today(), .now = clock_.NowMillis(), .seal = false};
    ASSIGN_OR_RETURN(ImportPlan plan, db_.ReadValue([&](db::Session& s) {
        return PlanImport(s, cipher_, who, extracted.rows, layout.mapping, options);
    }));
    out.summary = plan.summary;
    out.errors = std::move(extracted.errors);
    out.errors.insert(out.errors.end(), plan.errors.begin(), plan.errors.end());
    std::stable_sort(out.errors.begin(), out.errors.end(),
                     [](const RowError& a, const RowError& b) { return a.row < b.row; });
    out.rows = std::move(extracted.rows);
    return out;
}

Result<ImportSummary> ResidentImporter::Apply(const auth::Principal& who, int64_t community_id,
                                              const std::vector<ImportRow>& rows,
                                              const ColumnMapping& mapping, const Audit& audit,
                                              std::vector<RowError>* errors,
                                              const Progress& progress) {
    const int64_t now = clock_.NowMillis();
    PlanOptions options{.community_id = community_id, .today = Today(), .now = now, .seal = true};
    ImportSummary summary;
    Status written = db_.Write([&](db::Session& s) -> Status {
        ASSIGN_OR_RETURN(ImportPlan plan, PlanImport(s, cipher_, who, rows, mapping, options));
        if (!plan.errors.empty()) {
            if (errors != nullptr) *errors = std::move(plan.errors);
            return FailedPrecondition("导入数据有错误, 未写入任何内容");
        }
        const int total = static_cast<int>(plan.creates.size() + plan.updates.size());
        RETURN_IF_ERROR(ApplyPlan(s, plan, [&](int done) {
            if (progress) progress(done, total);
        }));
        summary = plan.summary;
        auth::AuditEntry entry = auth::AuditLog::For(who, "resident.import");
        entry.subject_kind = "community";
        entry.subject_id = community_id;
        entry.at = now;
        auto quote = [](const std::string& text) {
            std::string out = "\"";
            for (char c : text) {
                if (c == '"' || c == '\\') out += '\\';
                if (static_cast<unsigned char>(c) >= 0x20) out += c;
            }
            return out + "\"";
        };
        entry.detail = "{\"import_id\":" + quote(audit.import_id) +
                       ",\"filename\":" + quote(audit.filename) +
                       ",\"rows\":" + std::to_string(rows.size()) +
                       ",\"created\":" + std::to_string(summary.created) +
                       ",\"updated\":" + std::to_string(summary.updated) +
                       ",\"unchanged\":" + std::to_string(summary.unchanged) + "}";
        return auth::AuditLog::Append(s, entry);
    });
    if (!written.ok()) return std::move(written).error();
    return summary;
}

Result<int64_t> ResidentImporter::DefaultCommunity(const auth::Principal& who) {
    ASSIGN_OR_RETURN(std::vector<Community> communities, db_.ReadValue([](db::Session& s) {
        return RegistryStore::ListCommunities(s);
    }));
    int64_t only = 0;
    int count = 0;
    for (const Community& c : communities) {
        if (!who.CanAt("residents.import", {.street_id = c.street_id, .community_id = c.id})) {
            continue;
        }
        only = c.id;
        ++count;
    }
    if (count == 1) return only;
    if (count == 0) return InvalidArgument("没有可导入的社区: 请先建立社区", "community_id");
    return InvalidArgument("请选择要导入的社区 (community_id)", "community_id");
}

}  // namespace bulwark::registry
