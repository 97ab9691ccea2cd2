#include "registry/import/workbook.hpp"

#include <cmath>

namespace bulwark::registry {

Result<Workbook> ReadWorkbook(std::string_view bytes, std::string_view filename) {
    if (bytes.empty()) return InvalidArgument("文件是空的", "file");
    if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4)) return ReadXlsx(bytes);
    if (bytes.substr(0, 8) == std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
        return ReadXls(bytes);
    }
    std::string_view name = filename;
    size_t slash = name.find_last_of('/');
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    size_t dot = name.rfind('.');
    if (dot != std::string_view::npos) name = name.substr(0, dot);
    return ReadCsv(bytes, name.empty() ? "CSV" : name);
}

int32_t DateFromSerial(double serial, bool date1904) {
    if (!(serial >= 1 && serial < 2958466)) return 0;  // 1900-01-01 .. 9999-12-31
    int64_t days = static_cast<int64_t>(std::floor(serial));
    // Day 0 of the 1900 system is 1899-12-31 and Excel counts a 29 February 1900 that never
    // was (serial 60): from serial 61 on, 1899-12-30 is day 0. The 1904 system starts 1904-01-01.
    if (date1904) {
        days += 1462;
    } else if (days < 60) {
        days += 1;
    } else if (days == 60) {
        return 0;  // the phantom 29 February 1900: no such date
    }
    // Civil date from days since 1899-12-30 (Howard Hinnant's algorithm, shifted).
    int64_t z = days - 25569 + 719468;  // 25569: 1970-01-01 as a 1900-system serial
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    return static_cast<int32_t>(y * 10000 + m * 100 + d);
}

}  // namespace bulwark::registry
