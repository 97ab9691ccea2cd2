#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {

// A resident's fields as a person gave them (a JSON body, a spreadsheet row): every field
// optional, so that one type serves create (required fields checked) and edit (only the given
// fields change). Text as typed: normalising is ApplyResidentInput's job.
struct ResidentInput {
    std::optional<int64_t> building_id;
    std::optional<std::string> unit;
    std::optional<std::string> room;
    std::optional<std::string> name;
    std::optional<std::string> doc_type;  // "id_card", ...; default on create: id_card if a
                                          // number is given, else none
    std::optional<std::string> doc_number;
    std::optional<std::string> phone;
    std::optional<std::string> sex;         // "male" / "female" / "男" / "女" / ""
    std::optional<std::string> birth_date;  // "1990-01-02"
    std::optional<std::string> residency;
    std::optional<std::string> presence;
    std::optional<std::vector<std::string>> tags;  // stored tag names; derived ones are ignored
    std::optional<std::string> notes;
};

// The document number and phone after ApplyResidentInput, normalised and checked, to be sealed.
struct PersonalValues {
    std::string doc_number;
    std::string phone;
};

// Applies `input` to `resident` and `personal` (the current plaintext document number and phone;
// empty on create): normalises and checks every given field, then the whole: a national ID's
// birth date and sex replace the given ones, and given ones that disagree are errors. Places
// (building, unit, room) are left to the caller. `today` (yyyymmdd) bounds birth dates.
// kInvalidArgument naming the field (its JSON key) with a zh-CN message like
// "身份证号: 校验位错误".
Status ApplyResidentInput(const ResidentInput& input, bool creating, int32_t today,
                          Resident* resident, PersonalValues* personal);

// The floor of a room number: "1203" -> 12, "302" -> 3, anything else 0.
int FloorOfRoom(const std::string& room);

// A place or room name as stored: full-width folded, trimmed. kInvalidArgument (naming `field`,
// labelled `label`) if empty or longer than `max_chars` characters.
Result<std::string> CleanLabel(const std::string& raw, const char* field, const char* label,
                               size_t max_chars = 50, bool required = true);

}  // namespace bulwark::registry
