#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"

namespace bulwark::registry {

// One printed personal-code card: what a person without a phone carries to the sampling site.
struct CodeCard {
    std::string masked_name;  // "*三"
    std::string place;        // "3栋 2单元 1203"
    std::string link;         // what the QR code carries (ResidentCodeLink)
};

// A4 pages of cards, 2 across and 4 down (8 a page), each with a cut line, the QR code, the
// masked name, the place and a line of instructions, as PDF drawn with cairo and laid out with
// pango in Noto Sans CJK (fontconfig finds it; libharu cannot load that font). `heading` is
// printed at the top of every page ("雅仕居社区 3栋"). kInternal if cairo fails. Thread-safe
// (each call has its own surface).
Result<std::string> RenderCodeCards(const std::vector<CodeCard>& cards, const std::string& heading);

inline constexpr int kCardsPerPage = 8;

}  // namespace bulwark::registry
