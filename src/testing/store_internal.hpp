#pragma once

// Shared by the testing module's *_store.cpp files only.

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "db/database.hpp"
#include "db/sql_rows.hpp"

namespace bulwark::testing::internal {

// Appends "(?, ?, ...)" for `ids` to `sql` and the ids to `params`, padded with -1 (no row has
// it) to a power of two so that few distinct SQL texts are ever prepared. An empty list gives
// "(-1)"-like padding of one, which matches nothing.
inline void AppendIdList(const std::vector<int64_t>& ids, std::string* sql, db::Params* params) {
    size_t size = 1;
    while (size < ids.size()) size *= 2;
    *sql += "(";
    for (size_t i = 0; i < size; ++i) {
        *sql += i == 0 ? "?" : ", ?";
        params->emplace_back(i < ids.size() ? ids[i] : int64_t{-1});
    }
    *sql += ")";
}

// Calls `add(firsts, seconds)` for each slice of up to db::kMaxRowsPerStatement of `pairs`, with
// the slice's distinct first and second members, each sorted: a statement per slice that asks
// for "these rows, with those of their children" (a site and tables, a round and sites).
template <typename F>
void ForEachSliceOfPairs(const std::vector<std::pair<int64_t, int64_t>>& pairs, F&& add) {
    for (size_t at = 0; at < pairs.size(); at += db::kMaxRowsPerStatement) {
        const size_t n = std::min(db::kMaxRowsPerStatement, pairs.size() - at);
        std::vector<int64_t> firsts, seconds;
        for (size_t i = at; i < at + n; ++i) {
            firsts.push_back(pairs[i].first);
            seconds.push_back(pairs[i].second);
        }
        for (auto* ids : {&firsts, &seconds}) {
            std::sort(ids->begin(), ids->end());
            ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
        }
        add(firsts, seconds);
    }
}

}  // namespace bulwark::testing::internal
