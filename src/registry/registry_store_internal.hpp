#pragma once

// Shared by the registry's *_store.cpp files only.

#include <string>

#include "db/database.hpp"
#include "registry/model.hpp"
#include "registry/registry_store.hpp"

namespace bulwark::registry::internal {

// The columns of a ResidentDetail, in the order FromResidentRow reads them, and the joins that
// give them (aliases: r residents, b buildings, h households).
inline constexpr const char* kDetailColumns =
    "r.id, r.household_id, r.building_id, r.grid_id, r.community_id, r.street_id, r.name, "
    "r.name_initials, r.doc_type, r.doc_enc, r.doc_idx, r.doc_tail, r.phone_enc, r.phone_idx, "
    "r.phone_tail, r.sex, r.birth_date, r.residency, r.presence, r.tags, r.notes, r.code_token, "
    "r.code_issued_at, r.created_at, r.updated_at, r.version, st.name, c.name, g.name, b.name, "
    "h.unit, h.room";
inline constexpr const char* kDetailJoins =
    " FROM residents r JOIN buildings b ON b.id = r.building_id"
    " JOIN households h ON h.id = r.household_id JOIN grids g ON g.id = r.grid_id"
    " JOIN communities c ON c.id = r.community_id JOIN streets st ON st.id = r.street_id";

ResidentDetail FromResidentRow(const db::Row& row);

// "(alias.street_id IN (...) OR alias.community_id IN (...) OR alias.grid_id IN (...))" with
// its parameters appended to `params`.
std::string ScopeCondition(const ScopeFilter& scope, const char* alias, db::Params* params);

// Escapes LIKE wildcards with '!' (use with ESCAPE '!').
std::string EscapeLike(const std::string& text);

}  // namespace bulwark::registry::internal
