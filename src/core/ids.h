// Random identifiers and event-id normalization.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lt {

// `bytes` random bytes from libsodium, as 2*bytes lowercase hex characters.
std::string random_hex(size_t bytes);

// A UUID in any of the accepted spellings (32 hex, or 36 with dashes, any case, optionally in
// braces) as 32 lowercase hex characters; nullopt when it is not one.
std::optional<std::string> normalize_uuid(std::string_view text);

// Lowercase hex of SHA-256 over `data` (used to store API tokens hashed).
std::string sha256_hex(std::string_view data);

}  // namespace lt
