#pragma once

#include <string>
#include <string_view>

#include "auth/personal_data.hpp"
#include "base/result.hpp"
#include "registry/model.hpp"

namespace bulwark::registry {

// Seals a resident's document number and phone into the stored fields: ciphertext, blind index
// and the last four characters. Values must already be normalised (id_number.hpp). An empty value
// clears the fields. Thread-safe if the cipher is (it is).
void SealDocument(const auth::PersonalDataCipher& cipher, DocType type, std::string_view number,
                  Resident* resident);
void SealPhone(const auth::PersonalDataCipher& cipher, std::string_view phone, Resident* resident);

// The plaintext document number and phone of a resident; "" where none is stored. kInternal if
// a ciphertext does not decrypt (tampered, or a key is missing).
struct Unsealed {
    std::string doc_number;
    std::string phone;
};
Result<Unsealed> Unseal(const auth::PersonalDataCipher& cipher, const Resident& resident);

// A new personal sampling code token: 26 characters of RFC 4648 base32 (lower case, no padding)
// from 128 random bits (libsodium). Opaque: it carries nothing about the person.
std::string NewCodeToken();
// The same from 16 given random bytes (for callers that draw random bytes in bulk).
std::string CodeTokenFromBytes(const unsigned char* bytes16);

}  // namespace bulwark::registry
