#pragma once

#include <cstddef>
#include <string>

namespace bulwark::db {

// Multi-row statements: "(?, ?, ?), (?, ?, ?)", `rows` groups of `columns` placeholders, for
// "INSERT ... VALUES " + RowPlaceholders(...) and "IN (" + RowPlaceholders(1, n) + ")". The
// text depends on the counts only, never on values, so each count is prepared once per
// connection and cached (Session): callers split their rows into statements of at most
// kMaxRowsPerStatement rows, which bounds how many texts there are.
inline constexpr size_t kMaxRowsPerStatement = 64;

inline std::string RowPlaceholders(size_t columns, size_t rows) {
    std::string row = columns == 1 ? "?" : "(?";
    for (size_t c = 1; c < columns; ++c) row += ", ?";
    if (columns != 1) row += ")";
    std::string out;
    out.reserve(rows * (row.size() + 2));
    for (size_t r = 0; r < rows; ++r) {
        if (r != 0) out += ", ";
        out += row;
    }
    return out;
}

}  // namespace bulwark::db
