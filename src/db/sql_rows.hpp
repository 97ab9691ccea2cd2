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

// `one` (a SELECT that finds rows by an equality on a unique key) `rows` times, joined by
// UNION ALL: one indexed probe per key, whatever the planner's statistics say. The form
// "key IN (...)" is cheaper to write, but on a table whose statistics are older than its rows
// (a fresh or fast-growing one, as in a round's first minutes) PostgreSQL estimated a list of
// keys dearer than a sequential scan, and scanned thousands of rows to find ten.
inline std::string Probes(const std::string& one, size_t rows) {
    std::string out;
    out.reserve(rows * (one.size() + 11));
    for (size_t r = 0; r < rows; ++r) {
        if (r != 0) out += " UNION ALL ";
        out += one;
    }
    return out;
}

}  // namespace bulwark::db
