// bench_import: how long `bulwark import residents` takes for a large register.
//
// Writes an .xlsx of N synthetic residents (the project's generator, seed 7, phones and IDs as
// text, a title row above the header, as a community would send it) with libxlsxwriter, loads
// the demo community into a fresh data folder (or the given --db), then times with the real
// binary: the dry run, the --apply, and the dry run again (which must find every row
// unchanged). Issue 4 asks for 100,000 rows in under 30 s. Prints one line per step and a JSON
// summary line. Exits non-zero when a step fails or the re-import is not all unchanged.
#include <sys/wait.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "registry/export/sheet_writer.hpp"
#include "registry/model.hpp"
#include "registry/synthetic_population.hpp"

namespace {

using namespace bulwark;

std::string TagText(uint32_t tags) {
    std::string out;
    const std::pair<uint32_t, const char*> labels[] = {{registry::tags::kDisabled, "残疾"},
                                                       {registry::tags::kPregnant, "孕妇"},
                                                       {registry::tags::kInfant, "婴儿"},
                                                       {registry::tags::kBedridden, "卧床"},
                                                       {registry::tags::kChronic, "慢性病"}};
    for (const auto& [bit, label] : labels) {
        if ((tags & bit) == 0) continue;
        if (!out.empty()) out += "、";
        out += label;
    }
    return out;
}

// Writes `rows` residents; returns false on failure.
bool WriteWorkbook(const std::string& path, int rows) {
    auto writer = registry::SheetWriter::Open("居民");
    if (!writer.ok()) return false;
    (*writer)->SetColumns({8, 8, 20, 14, 6, 12, 10, 8, 8, 8, 8, 12}, {2, 3, 9});
    (*writer)->Title("基准测试社区居民花名册 (合成数据)");
    (*writer)->Header({"姓名", "证件类型", "身份证号", "联系电话", "性别", "出生日期", "网格",
                       "楼栋", "单元", "房号", "居住类型", "重点人群"});
    registry::PopulationGenerator generator(
        {.scale = registry::Scale::kDistrict, .seed = 7, .reference_date = 20240101});
    registry::SyntheticBuilding building;
    int written = 0;
    const char* doc_types[] = {"身份证", "护照", "港澳通行证", "台胞证", "无"};
    const char* residency[] = {"常住", "流动", "租户"};
    while (written < rows && generator.Next(&building)) {
        // One community receives everything: building names carry the community's index.
        std::string name = std::to_string(building.community_index + 1) + "区" + building.name;
        for (const auto& household : building.households) {
            for (const auto& p : household.members) {
                if (written == rows) break;
                (*writer)->Row({p.name, doc_types[static_cast<int>(p.doc_type)], p.doc_number,
                                p.phone, p.sex == registry::Sex::kMale ? "男" : "女",
                                registry::FormatDate(p.birth_date),
                                "第" + std::to_string(building.grid_index % 8 + 1) + "网格", name,
                                household.unit, household.room,
                                residency[static_cast<int>(p.residency)], TagText(p.tags)});
                ++written;
            }
        }
    }
    auto bytes = (*writer)->Finish();
    if (!bytes.ok()) return false;
    std::ofstream out(path, std::ios::binary);
    out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    return static_cast<bool>(out);
}

struct Step {
    double seconds = 0;
    int status = -1;
    std::string output;
};

Step Run(const std::string& command) {
    Step step;
    auto start = std::chrono::steady_clock::now();
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return step;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) step.output.append(buf, n);
    int raw = ::pclose(pipe);
    step.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    step.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return step;
}

std::string LastLine(const std::string& text) {
    size_t end = text.find_last_not_of('\n');
    if (end == std::string::npos) return "";
    size_t begin = text.rfind('\n', end);
    return text.substr(begin == std::string::npos ? 0 : begin + 1, end - begin);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"bench_import: time `bulwark import residents` on a generated register"};
    int rows = 100000;
    std::string binary = "build/release/src/app/bulwark";
    std::string db;
    std::string dir;
    cli.add_option("--rows", rows, "residents in the register")->capture_default_str();
    cli.add_option("--bulwark", binary, "the bulwark binary (a release build)")
        ->capture_default_str();
    cli.add_option("--db", db, "a database URL (default: SQLite in the data folder)");
    cli.add_option("--dir", dir, "working folder (default: a new temporary one, removed after)");
    CLI11_PARSE(cli, argc, argv);

    namespace fs = std::filesystem;
    bool remove = dir.empty();
    if (dir.empty()) {
        char tmpl[] = "/tmp/bench-import-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) return 1;
        dir = tmpl;
    }
    const std::string file = dir + "/register.xlsx";
    auto t0 = std::chrono::steady_clock::now();
    if (!WriteWorkbook(file, rows)) {
        std::cerr << "bench_import: could not write " << file << "\n";
        return 1;
    }
    double generate = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("register: %d rows, %.1f MB, written in %.1f s\n", rows,
                static_cast<double>(fs::file_size(file)) / 1e6, generate);

    const std::string base = binary + " --log-level warn --data '" + dir + "/data'" +
                             (db.empty() ? "" : " --db '" + db + "'");
    Step demo = Run(base + " demo");
    if (demo.status != 0) {
        std::cerr << "bench_import: bulwark demo failed:\n" << demo.output;
        return 1;
    }
    const std::string import = base + " import residents '" + file + "' --community 1";
    Step check = Run(import);
    std::printf("dry run:   %6.1f s  %s\n", check.seconds, LastLine(check.output).c_str());
    Step apply = Run(import + " --apply");
    std::printf("apply:     %6.1f s  %s\n", apply.seconds, LastLine(apply.output).c_str());
    Step again = Run(import);
    std::printf("re-check:  %6.1f s  %s\n", again.seconds, LastLine(again.output).c_str());
    bool ok = check.status == 0 && apply.status == 0 && again.status == 0 &&
              again.output.find("不变 " + std::to_string(rows) + " 人") != std::string::npos;
    std::printf(
        "{\"bench\":\"import\",\"rows\":%d,\"dry_run_s\":%.2f,\"apply_s\":%.2f,"
        "\"dry_run_plus_apply_s\":%.2f,\"recheck_s\":%.2f,\"ok\":%s}\n",
        rows, check.seconds, apply.seconds, check.seconds + apply.seconds, again.seconds,
        ok ? "true" : "false");
    if (!ok) std::cerr << check.output << apply.output << again.output;
    if (remove) fs::remove_all(dir);
    return ok ? 0 : 1;
}
