#pragma once

#include <cstdint>
#include <span>

namespace bulwark::registry::synthetic {

// A character (or a compound surname) with the initials of its pinyin reading, so that the
// generator knows a name's initials without ICU. `weight` is a relative frequency.
struct NamePart {
    const char* text;
    const char* initials;
    uint32_t weight;
};

// Common surnames, weighted roughly by their frequency in China.
std::span<const NamePart> Surnames();
// Characters common in given names: for men, for women, and for either.
std::span<const NamePart> MaleGivenChars();
std::span<const NamePart> FemaleGivenChars();
std::span<const NamePart> NeutralGivenChars();

// Place names for synthetic districts, streets and communities (none of them a real place).
std::span<const char* const> DistrictNames();
std::span<const char* const> PlaceWords();
std::span<const char* const> CommunitySuffixes();

}  // namespace bulwark::registry::synthetic
