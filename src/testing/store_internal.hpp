#pragma once

// Shared by the testing module's *_store.cpp files only.

#include <cstdint>
#include <string>
#include <vector>

#include "db/database.hpp"

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

}  // namespace bulwark::testing::internal
