#include "registry/pinyin.hpp"

#include <memory>
#include <unordered_map>

#include <unicode/coll.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace bulwark::registry {
namespace {

icu::Transliterator* ThreadTransliterator() {
    thread_local std::unique_ptr<icu::Transliterator> transliterator = [] {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::Transliterator> t(
            icu::Transliterator::createInstance("Han-Latin; Latin-ASCII", UTRANS_FORWARD, status));
        if (U_FAILURE(status)) t.reset();
        return t;
    }();
    return transliterator.get();
}

bool IsHan(UChar32 c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F);
}

// The pinyin initial of one Han character ('\0' if it has none), cached per thread: Han-Latin
// costs about half a millisecond a call, and a register of 100,000 names holds only a few
// thousand distinct characters.
char HanInitial(UChar32 c) {
    thread_local std::unordered_map<UChar32, char> cache;
    auto it = cache.find(c);
    if (it != cache.end()) return it->second;
    icu::UnicodeString one(c);
    std::string utf8;
    one.toUTF8String(utf8);
    char initial = '\0';
    for (char l : Pinyin(utf8)) {
        if (l >= 'a' && l <= 'z') {
            initial = l;
            break;
        }
    }
    if (cache.size() > 100000) cache.clear();
    cache.emplace(c, initial);
    return initial;
}

icu::Collator* ThreadCollator() {
    thread_local std::unique_ptr<icu::Collator> collator = [] {
        UErrorCode status = U_ZERO_ERROR;
        // "zh" sorts by pinyin (ICU's default Chinese collation).
        std::unique_ptr<icu::Collator> c(icu::Collator::createInstance(icu::Locale("zh"), status));
        if (U_FAILURE(status)) c.reset();
        return c;
    }();
    return collator.get();
}

}  // namespace

std::string PinyinSortKey(std::string_view name) {
    thread_local std::unordered_map<std::string, std::string> cache;
    std::string key_text(name);
    auto it = cache.find(key_text);
    if (it != cache.end()) return it->second;
    icu::Collator* collator = ThreadCollator();
    if (collator == nullptr) return key_text;
    icu::UnicodeString text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
    uint8_t stack[128];
    int32_t size = collator->getSortKey(text, stack, static_cast<int32_t>(sizeof stack));
    std::string key;
    if (size <= static_cast<int32_t>(sizeof stack)) {
        key.assign(reinterpret_cast<const char*>(stack), static_cast<size_t>(size));
    } else {
        key.resize(static_cast<size_t>(size));
        collator->getSortKey(text, reinterpret_cast<uint8_t*>(key.data()), size);
    }
    // ICU ends the key with a zero byte: drop it, so that a key never holds a terminator.
    if (!key.empty() && key.back() == '\0') key.pop_back();
    if (cache.size() > 200000) cache.clear();
    cache.emplace(std::move(key_text), key);
    return key;
}

std::string Pinyin(std::string_view name) {
    icu::Transliterator* t = ThreadTransliterator();
    if (t == nullptr) return "";
    icu::UnicodeString text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
    t->transliterate(text);
    std::string out;
    text.toUTF8String(out);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string PinyinInitials(std::string_view name) {
    // A name written in Han characters (spaces and the middle dot of minority names between
    // them) goes character by character through the cache: the same initials, quickly.
    std::string han;
    bool all_han = !name.empty();
    for (int32_t i = 0; i < static_cast<int32_t>(name.size()) && all_han;) {
        UChar32 c;
        U8_NEXT(name.data(), i, static_cast<int32_t>(name.size()), c);
        if (IsHan(c)) {
            if (char initial = HanInitial(c)) han += initial;
        } else if (c != ' ' && c != 0x00B7) {
            all_han = false;
        }
    }
    if (all_han) return han;
    std::string latin = Pinyin(name);
    std::string out;
    bool at_word_start = true;
    for (char c : latin) {
        bool letter = (c >= 'a' && c <= 'z');
        if (letter && at_word_start) out.push_back(c);
        at_word_start = !letter && !(c >= '0' && c <= '9');
    }
    return out;
}

}  // namespace bulwark::registry
