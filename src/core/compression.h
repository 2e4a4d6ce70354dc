// Content decoding with a bounded output, and the codecs the project stores data with.
//
// decode_content() undoes one HTTP Content-Encoding. It never produces more than `max_output`
// bytes: a body that would inflate past it stops early with DecodeStatus::too_large, so a
// compression bomb costs at most `max_output` bytes of memory and the work to produce them.
// Encoding names are matched case-insensitively and trimmed: "", "identity" and "utf-8" mean
// identity (some SDKs send those); "gzip"/"x-gzip", "deflate" (zlib-wrapped, raw deflate
// accepted too), "br" and "zstd" are decoded; anything else is DecodeStatus::unsupported.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lt {

enum class DecodeStatus { ok, too_large, corrupt, unsupported };

struct DecodeResult {
    DecodeStatus status = DecodeStatus::ok;
    std::string data;   // the decoded bytes when status == ok
    std::string error;  // a short human-readable cause otherwise
};

DecodeResult decode_content(std::string_view encoding, std::string_view input, size_t max_output);

// zlib stream (RFC 1950) inflate, bounded like decode_content; used by legacy /store/ bodies.
DecodeResult inflate_zlib(std::string_view input, size_t max_output);

// Standard base64 (RFC 4648, padding optional, whitespace ignored); nullopt on bad input.
std::optional<std::string> base64_decode(std::string_view input);
std::string base64_encode(std::string_view input);

std::string zstd_compress(std::string_view input, int level = 3);
// nullopt when the frame is corrupt or would exceed max_output.
std::optional<std::string> zstd_decompress(std::string_view input, size_t max_output);

// Encoders used by tests and the load generator to produce real encoded bodies.
std::string gzip_compress(std::string_view input, int level = 6);
std::string zlib_compress(std::string_view input, int level = 6);
std::string brotli_compress(std::string_view input, int quality = 5);

}  // namespace lt
