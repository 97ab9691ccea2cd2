#pragma once

#include <string>
#include <string_view>

namespace bulwark::registry {

// Pinyin initials of a name for search, lower case: "张三" -> "zs", "欧阳娜娜" -> "oynn",
// "Tom Lee" -> "tl". Uses ICU's "Han-Latin; Latin-ASCII" transliterator, created once per thread
// (creating one takes milliseconds). Thread-safe. Returns "" if ICU fails.
std::string PinyinInitials(std::string_view name);

// The full pinyin of a name, syllables separated by spaces ("zhang san"), for display and tests.
std::string Pinyin(std::string_view name);

}  // namespace bulwark::registry
