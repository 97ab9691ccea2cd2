#pragma once

#include <string>
#include <string_view>

namespace bulwark::registry {

// Pinyin initials of a name for search, lower case: "张三" -> "zs", "欧阳娜娜" -> "oynn",
// "Tom Lee" -> "tl". Uses ICU's "Han-Latin; Latin-ASCII" transliterator, created once per thread
// (creating one takes milliseconds). Thread-safe. Returns "" if ICU fails.
std::string PinyinInitials(std::string_view name);

// A key whose byte order (memcmp: SQLite BLOB and PostgreSQL BYTEA compare the same way) is the
// pinyin order of names, as ICU's Chinese collation sorts them: by pinyin, then tone, then
// strokes for characters that sound alike; Latin names sort among them by their letters.
// Cached per thread (most names repeat). Thread-safe. Returns the UTF-8 bytes if ICU fails.
std::string PinyinSortKey(std::string_view name);

// The full pinyin of a name, syllables separated by spaces ("zhang san"), for display and tests.
std::string Pinyin(std::string_view name);

}  // namespace bulwark::registry
