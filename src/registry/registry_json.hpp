#pragma once

#include <boost/json/value.hpp>

#include "base/result.hpp"
#include "registry/registry_service.hpp"
#include "registry/resident_input.hpp"

namespace bulwark::registry {

// JSON shapes of the registry routes. Pure functions; thread-safe.

// A masked resident: ids, place names, name, pinyin initials, doc_type, doc_number (masked),
// phone (masked), sex, birth_date ("1990-01-02"), age, residency, presence, tags (names, with
// derived elderly_60/elderly_80), notes, code_issued_at, created_at, updated_at, version. Never
// the code token, a ciphertext or a blind index.
boost::json::object ResidentJson(const MaskedResident& m);
boost::json::object PlaceTreeJson(const PlaceTree& tree);
boost::json::object StreetJson(const Street& s);
boost::json::object CommunityJson(const Community& c);
boost::json::object GridJson(const Grid& g);
boost::json::object BuildingJson(const Building& b);
boost::json::object ScannerViewJson(const ScannerResidentView& v);

// Reads a resident body: the fields of ResidentInput by the same names; unknown fields are
// ignored. kInvalidArgument naming the field when one has the wrong type.
Result<ResidentInput> ParseResidentInput(const boost::json::object& body);

}  // namespace bulwark::registry
