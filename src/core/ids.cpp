#include "core/ids.h"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace lt {

namespace {

// sodium_init() must run once before randombytes_buf(); a function-local static makes that
// thread-safe. If it throws, the next caller retries.
void ensure_sodium() {
    static const bool initialized = [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium initialization failed");
        return true;
    }();
    (void)initialized;
}

std::string to_hex(const unsigned char* data, size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(size * 2, '\0');
    for (size_t i = 0; i < size; ++i) {
        out[2 * i] = kDigits[data[i] >> 4];
        out[2 * i + 1] = kDigits[data[i] & 0x0F];
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string random_hex(size_t bytes) {
    if (bytes == 0) return {};  // randombytes_buf() must not get a null pointer
    ensure_sodium();
    std::vector<unsigned char> buf(bytes);
    randombytes_buf(buf.data(), buf.size());
    return to_hex(buf.data(), buf.size());
}

std::optional<std::string> normalize_uuid(std::string_view text) {
    if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
        text = text.substr(1, text.size() - 2);
    }
    const bool dashed = text.size() == 36;
    if (!dashed && text.size() != 32) return std::nullopt;
    std::string out;
    out.reserve(32);
    for (size_t i = 0; i < text.size(); ++i) {
        if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
            if (text[i] != '-') return std::nullopt;
            continue;
        }
        const int v = hex_value(text[i]);
        if (v < 0) return std::nullopt;
        out.push_back("0123456789abcdef"[v]);
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    ensure_sodium();
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return to_hex(digest, sizeof digest);
}

}  // namespace lt
