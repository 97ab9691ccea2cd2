#include "registry/pinyin.hpp"

#include <memory>

#include <unicode/translit.h>
#include <unicode/unistr.h>

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

}  // namespace

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
