#include "registry/sealing.hpp"

#include <sodium.h>

#include <array>

#include "registry/id_number.hpp"

namespace bulwark::registry {

void SealDocument(const auth::PersonalDataCipher& cipher, DocType type, std::string_view number,
                  Resident* r) {
    r->doc_type = type;
    if (number.empty()) {
        r->doc_enc.clear();
        r->doc_idx.clear();
        r->doc_tail.clear();
        return;
    }
    r->doc_enc = cipher.Encrypt(number);
    r->doc_idx = cipher.BlindIndex(number);
    r->doc_tail = Tail(number);
}

void SealPhone(const auth::PersonalDataCipher& cipher, std::string_view phone, Resident* r) {
    if (phone.empty()) {
        r->phone_enc.clear();
        r->phone_idx.clear();
        r->phone_tail.clear();
        return;
    }
    r->phone_enc = cipher.Encrypt(phone);
    r->phone_idx = cipher.BlindIndex(phone);
    r->phone_tail = Tail(phone);
}

Result<Unsealed> Unseal(const auth::PersonalDataCipher& cipher, const Resident& r) {
    Unsealed out;
    if (!r.doc_enc.empty()) {
        ASSIGN_OR_RETURN(out.doc_number, cipher.Decrypt(r.doc_enc));
    }
    if (!r.phone_enc.empty()) {
        ASSIGN_OR_RETURN(out.phone, cipher.Decrypt(r.phone_enc));
    }
    return out;
}

std::string NewCodeToken() {
    static const bool initialised = sodium_init() >= 0;
    (void)initialised;
    std::array<unsigned char, 16> bytes;
    randombytes_buf(bytes.data(), bytes.size());
    return CodeTokenFromBytes(bytes.data());
}

std::string CodeTokenFromBytes(const unsigned char* bytes) {
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::string out;
    out.reserve(26);
    uint32_t buffer = 0;
    int bits = 0;
    for (int i = 0; i < 16; ++i) {
        unsigned char b = bytes[i];
        buffer = (buffer << 8) | b;
        bits += 8;
        while (bits >= 5) {
            out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
            bits -= 5;
        }
    }
    if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
    return out;
}

}  // namespace bulwark::registry
