#include "core/compression.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <sstream>
#include "test_support.h"

namespace lt {
namespace {

using testing_support::read_file;

namespace fs = std::filesystem;

constexpr size_t kMiB = 1024 * 1024;

// Text-like data that compresses but not trivially, deterministic across runs.
std::string sample_text(size_t size) {
    std::mt19937 rng(42);
    static constexpr std::string_view kWords[] = {
        "event", "exception", "\"frame\":", "{", "}", "stacktrace", "0123", "\n", " ", "sentry"};
    std::string out;
    while (out.size() < size) out += kWords[rng() % std::size(kWords)];
    out.resize(size);
    return out;
}

std::string random_bytes(size_t size, unsigned seed) {
    std::mt19937 rng(seed);
    std::string out(size, '\0');
    for (char& c : out) c = static_cast<char>(rng());
    return out;
}

// Raw deflate (RFC 1951, no wrapper), which some clients send as "deflate".
std::string raw_deflate(std::string_view input) {
    z_stream zs{};
    EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&zs, static_cast<uLong>(input.size())), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    zs.avail_in = static_cast<uInt>(input.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

struct Codec {
    std::string encoding;
    std::function<std::string(std::string_view)> compress;
};

std::vector<Codec> codecs() {
    return {
        {"gzip", [](std::string_view s) { return gzip_compress(s); }},
        {"x-gzip", [](std::string_view s) { return gzip_compress(s, 9); }},
        {"deflate", [](std::string_view s) { return zlib_compress(s); }},
        {"deflate", raw_deflate},
        {"br", [](std::string_view s) { return brotli_compress(s); }},
        {"zstd", [](std::string_view s) { return zstd_compress(s); }},
    };
}

const std::string& hundred_mib_of_zeros() {
    static const std::string zeros(100 * kMiB, '\0');
    return zeros;
}

TEST(Compression, RoundTripsEveryCodec) {
    const std::vector<std::string> inputs = {"", "x", sample_text(1000), sample_text(300'000),
                                             random_bytes(200'000, 7)};
    for (const Codec& codec : codecs()) {
        for (const std::string& input : inputs) {
            SCOPED_TRACE(codec.encoding + " size " + std::to_string(input.size()));
            const DecodeResult r = decode_content(codec.encoding, codec.compress(input), 8 * kMiB);
            ASSERT_EQ(r.status, DecodeStatus::ok) << r.error;
            EXPECT_EQ(r.data, input);
        }
    }
}

TEST(Compression, EncodingNamesAreTrimmedAndCaseInsensitive) {
    const std::string body = sample_text(5000);
    EXPECT_EQ(decode_content(" GZIP ", gzip_compress(body), kMiB).data, body);
    EXPECT_EQ(decode_content("X-Gzip", gzip_compress(body), kMiB).data, body);
    EXPECT_EQ(decode_content("Br", brotli_compress(body), kMiB).data, body);
    EXPECT_EQ(decode_content("ZSTD\t", zstd_compress(body), kMiB).data, body);
    EXPECT_EQ(decode_content("Deflate", zlib_compress(body), kMiB).data, body);
}

TEST(Compression, IdentityAliases) {
    for (const char* name : {"", "identity", "IDENTITY", "utf-8", "UTF-8", "  "}) {
        const DecodeResult r = decode_content(name, "plain body", kMiB);
        EXPECT_EQ(r.status, DecodeStatus::ok) << name;
        EXPECT_EQ(r.data, "plain body") << name;
    }
    EXPECT_EQ(decode_content("identity", "", kMiB).status, DecodeStatus::ok);
}

TEST(Compression, IdentityOverLimitIsTooLarge) {
    EXPECT_EQ(decode_content("", "12345", 5).status, DecodeStatus::ok);
    EXPECT_EQ(decode_content("", "123456", 5).status, DecodeStatus::too_large);
}

TEST(Compression, UnsupportedEncoding) {
    for (const char* name : {"compress", "gzip, br", "lz4", "base64"}) {
        const DecodeResult r = decode_content(name, "abc", kMiB);
        EXPECT_EQ(r.status, DecodeStatus::unsupported) << name;
        EXPECT_FALSE(r.error.empty());
    }
}

TEST(Compression, LimitIsExact) {
    const std::string body = sample_text(100'000);
    for (const Codec& codec : codecs()) {
        SCOPED_TRACE(codec.encoding);
        const std::string packed = codec.compress(body);
        EXPECT_EQ(decode_content(codec.encoding, packed, body.size()).status, DecodeStatus::ok);
        EXPECT_EQ(decode_content(codec.encoding, packed, body.size() - 1).status,
                  DecodeStatus::too_large);
        EXPECT_EQ(decode_content(codec.encoding, packed, 0).status, DecodeStatus::too_large);
    }
}

TEST(Compression, EmptyOutputFitsZeroLimit) {
    for (const Codec& codec : codecs()) {
        EXPECT_EQ(decode_content(codec.encoding, codec.compress(""), 0).status, DecodeStatus::ok)
            << codec.encoding;
    }
}

TEST(Compression, BombsStopAtTheLimit) {
    for (const Codec& codec : codecs()) {
        SCOPED_TRACE(codec.encoding);
        const std::string bomb = codec.compress(hundred_mib_of_zeros());
        ASSERT_LT(bomb.size(), 200 * 1024u);  // ratio > 500:1
        const DecodeResult r = decode_content(codec.encoding, bomb, kMiB);
        EXPECT_EQ(r.status, DecodeStatus::too_large);
        EXPECT_TRUE(r.data.empty());
        EXPECT_FALSE(r.error.empty());
    }
}

TEST(Compression, ConcatenatedGzipMembersDecodeAsOneBody) {
    const std::string packed = gzip_compress("hello ") + gzip_compress("") + gzip_compress("world");
    const DecodeResult r = decode_content("gzip", packed, kMiB);
    ASSERT_EQ(r.status, DecodeStatus::ok) << r.error;
    EXPECT_EQ(r.data, "hello world");
    // The limit spans all members.
    EXPECT_EQ(decode_content("gzip", packed, 10).status, DecodeStatus::too_large);
}

// The gzip trailer's size (ISIZE) only picks the fast path; a lying one must not change the
// answer: too large stays too large, and a wrong length is corrupt.
TEST(Compression, GzipTrailerThatLiesAboutTheSizeIsNotTrusted) {
    std::string packed = gzip_compress(std::string(2 * kMiB, 'z'));
    const size_t tail = packed.size() - 4;
    packed[tail] = 10, packed[tail + 1] = 0, packed[tail + 2] = 0, packed[tail + 3] = 0;
    EXPECT_EQ(decode_content("gzip", packed, kMiB).status, DecodeStatus::too_large);
    EXPECT_EQ(decode_content("gzip", packed, 4 * kMiB).status, DecodeStatus::corrupt);
    const std::string honest = gzip_compress("small body");
    const DecodeResult fast = decode_content("gzip", honest, kMiB);
    ASSERT_EQ(fast.status, DecodeStatus::ok);
    EXPECT_EQ(fast.data, "small body");
    EXPECT_EQ(decode_content("gzip", honest, 9).status, DecodeStatus::too_large);
}

TEST(Compression, ConcatenatedZstdFramesDecodeAsOneBody) {
    const std::string packed = zstd_compress("hello ") + zstd_compress("world");
    const DecodeResult r = decode_content("zstd", packed, kMiB);
    ASSERT_EQ(r.status, DecodeStatus::ok) << r.error;
    EXPECT_EQ(r.data, "hello world");
}

TEST(Compression, TrailingGarbageIsCorrupt) {
    const std::string body = sample_text(4000);
    for (const Codec& codec : codecs()) {
        SCOPED_TRACE(codec.encoding);
        const std::string packed = codec.compress(body);
        for (const std::string& tail : {std::string("x"), std::string(1, '\0'), std::string("\n\n"),
                                        std::string("garbage after")}) {
            const DecodeResult r = decode_content(codec.encoding, packed + tail, kMiB);
            EXPECT_EQ(r.status, DecodeStatus::corrupt) << "tail size " << tail.size();
            EXPECT_FALSE(r.error.empty());
        }
    }
}

TEST(Compression, TruncatedStreamIsCorrupt) {
    const std::string body = sample_text(50'000);
    for (const Codec& codec : codecs()) {
        SCOPED_TRACE(codec.encoding);
        const std::string packed = codec.compress(body);
        for (const size_t keep : {size_t{0}, size_t{1}, packed.size() / 2, packed.size() - 1}) {
            const DecodeResult r = decode_content(codec.encoding, packed.substr(0, keep), kMiB);
            EXPECT_EQ(r.status, DecodeStatus::corrupt) << "kept " << keep;
        }
    }
}

TEST(Compression, GarbageIsCorrupt) {
    const std::string noise = random_bytes(3000, 99);
    for (const char* name : {"gzip", "br", "zstd"}) {
        const DecodeResult r = decode_content(name, noise, kMiB);
        EXPECT_EQ(r.status, DecodeStatus::corrupt) << name;
    }
    EXPECT_EQ(decode_content("gzip", "{\"message\":\"not compressed\"}", kMiB).status,
              DecodeStatus::corrupt);
    EXPECT_EQ(decode_content("deflate", "\xff\xff\xff\xff", kMiB).status, DecodeStatus::corrupt);
}

TEST(Compression, FlippedBytesNeverCrashOrExceedTheLimit) {
    const std::string body = sample_text(20'000);
    for (const Codec& codec : codecs()) {
        const std::string packed = codec.compress(body);
        for (size_t i = 0; i < packed.size(); i += 7) {
            std::string damaged = packed;
            damaged[i] = static_cast<char>(damaged[i] ^ 0x5A);
            const DecodeResult r = decode_content(codec.encoding, damaged, 30'000);
            EXPECT_LE(r.data.size(), 30'000u);
        }
    }
}

TEST(Compression, GzipIsNotAcceptedAsDeflate) {
    EXPECT_EQ(decode_content("deflate", gzip_compress("abc"), kMiB).status, DecodeStatus::corrupt);
}

TEST(Compression, InflateZlib) {
    const std::string body = sample_text(70'000);
    const DecodeResult r = inflate_zlib(zlib_compress(body), kMiB);
    ASSERT_EQ(r.status, DecodeStatus::ok) << r.error;
    EXPECT_EQ(r.data, body);
    EXPECT_EQ(inflate_zlib(zlib_compress(body), 1000).status, DecodeStatus::too_large);
    EXPECT_EQ(inflate_zlib(gzip_compress(body), kMiB).status, DecodeStatus::corrupt);
    EXPECT_EQ(inflate_zlib(raw_deflate(body), kMiB).status, DecodeStatus::corrupt);
    EXPECT_EQ(inflate_zlib(zlib_compress(body) + "x", kMiB).status, DecodeStatus::corrupt);
    EXPECT_EQ(inflate_zlib(zlib_compress(hundred_mib_of_zeros()), kMiB).status,
              DecodeStatus::too_large);
}

TEST(Compression, ZstdHelpers) {
    const std::string body = sample_text(10'000);
    const std::string packed = zstd_compress(body, 19);
    EXPECT_LT(packed.size(), body.size());
    EXPECT_EQ(zstd_decompress(packed, body.size()), body);
    EXPECT_EQ(zstd_decompress(packed, body.size() - 1), std::nullopt);
    EXPECT_EQ(zstd_decompress("not zstd", kMiB), std::nullopt);
    EXPECT_EQ(zstd_decompress(packed.substr(0, packed.size() - 3), kMiB), std::nullopt);
    EXPECT_EQ(zstd_decompress(zstd_compress(""), 0), "");
}

TEST(Compression, CompressorsProduceStandardFormats) {
    const std::string gz = gzip_compress("abc");
    ASSERT_GE(gz.size(), 18u);
    EXPECT_EQ(gz.substr(0, 2), "\x1f\x8b");
    const std::string z = zlib_compress("abc");
    EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x78);
    EXPECT_EQ(zstd_compress("abc").substr(0, 4), "\x28\xb5\x2f\xfd");
    // Higher levels compress compressible input at least as well.
    const std::string text = sample_text(100'000);
    EXPECT_LE(gzip_compress(text, 9).size(), gzip_compress(text, 1).size());
    EXPECT_LE(brotli_compress(text, 9).size(), brotli_compress(text, 1).size());
}

TEST(Base64, Rfc4648Vectors) {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64_encode(plain), encoded);
        EXPECT_EQ(base64_decode(encoded), plain);
    }
}

TEST(Base64, PaddingOptionalAndWhitespaceIgnored) {
    EXPECT_EQ(base64_decode("Zg"), "f");
    EXPECT_EQ(base64_decode("Zm8"), "fo");
    EXPECT_EQ(base64_decode("Zm9v\r\nYmFy\n"), "foobar");
    EXPECT_EQ(base64_decode(" Zm 9v Yg = = "), "foob");
}

TEST(Base64, RejectsBadInput) {
    for (const char* bad :
         {"Z", "Zm9vY", "Zg===", "Zm9v=", "Z===", "Zg==Zg==", "Zm9v!", "Zm-_", "Zg=a", "="}) {
        EXPECT_EQ(base64_decode(bad), std::nullopt) << bad;
    }
}

TEST(Base64, BinaryRoundTrip) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (size_t n = 0; n <= all.size(); n += 37) {
        const std::string part = all.substr(0, n);
        EXPECT_EQ(base64_decode(base64_encode(part)), part);
    }
    EXPECT_EQ(base64_encode("\xff\xfe\xfd"), "//79");
}

// Every captured body that came with a Content-Encoding decodes to the captured decoded bytes.
TEST(Compression, DecodesEveryCapturedBody) {
    size_t checked = 0;
    const fs::path root = fs::path(LT_FIXTURES) / "corpus";
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.path().extension() != ".txt" || entry.path().stem().string().size() != 3) {
            continue;
        }
        std::istringstream request(read_file(entry.path()));
        std::string encoding;
        for (std::string line; std::getline(request, line) && !line.empty();) {
            std::string lower = line;
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (lower.starts_with("content-encoding:")) encoding = line.substr(17);
        }
        if (encoding.empty()) continue;
        fs::path body = entry.path();
        fs::path decoded = entry.path();
        body.replace_extension(".bin");
        decoded.replace_extension(".decoded.bin");
        SCOPED_TRACE(body.string());
        ASSERT_TRUE(fs::exists(decoded));
        const DecodeResult r = decode_content(encoding, read_file(body), 16 * kMiB);
        ASSERT_EQ(r.status, DecodeStatus::ok) << r.error;
        EXPECT_EQ(r.data, read_file(decoded));
        ++checked;
    }
    EXPECT_GE(checked, 20u);
}

}  // namespace
}  // namespace lt
