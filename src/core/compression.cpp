#include "core/compression.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <libdeflate.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>

namespace lt {

namespace {

// Output buffer that never grows past max_output + 1 bytes: one byte more than allowed is enough
// to tell "exactly max_output" from "too large" without decoding any further.
class BoundedOutput {
public:
    BoundedOutput(size_t max_output, size_t input_size)
        : max_(max_output),
          limit_(max_output == std::numeric_limits<size_t>::max() ? max_output : max_output + 1) {
        // Typical request bodies compress 3-10x; start near that to avoid most regrowth.
        buf_.resize(std::min(limit_, std::max(kMinBuffer, input_size * 4)));
    }

    // Writable space after the bytes produced so far; empty only when the limit is reached.
    std::span<uint8_t> spare() {
        if (used_ == buf_.size() && buf_.size() < limit_) {
            buf_.resize(std::min(limit_, buf_.size() * 2));
        }
        return {reinterpret_cast<uint8_t*>(buf_.data()) + used_, buf_.size() - used_};
    }
    void commit(size_t n) { used_ += n; }
    bool exceeded() const { return used_ > max_; }

    std::string take() {
        buf_.resize(used_);
        if (buf_.capacity() / 2 > used_) buf_.shrink_to_fit();  // callers may keep it a while
        return std::move(buf_);
    }

private:
    static constexpr size_t kMinBuffer = 4096;
    size_t max_;
    size_t limit_;
    size_t used_ = 0;
    std::string buf_;
};

DecodeResult failure(DecodeStatus status, std::string error) {
    return {.status = status, .data = {}, .error = std::move(error)};
}

DecodeResult too_large(size_t max_output) {
    return failure(DecodeStatus::too_large,
                   "decoded body exceeds " + std::to_string(max_output) + " bytes");
}

const uint8_t* bytes(std::string_view s) {
    return reinterpret_cast<const uint8_t*>(s.data());
}

// zlib counts in uInt; feed and drain it in slices no larger than this.
constexpr size_t kZlibSlice = size_t{1} << 30;

enum class ZlibFormat { zlib, gzip, raw };

// One inflate state per thread, reset between bodies: setting one up costs more than
// inflating a typical 2 KB request.
class ThreadInflater {
public:
    ThreadInflater() { ok_ = inflateInit2(&stream_, MAX_WBITS) == Z_OK; }
    ~ThreadInflater() {
        if (ok_) inflateEnd(&stream_);
    }
    ThreadInflater(const ThreadInflater&) = delete;
    ThreadInflater& operator=(const ThreadInflater&) = delete;

    z_stream* reset(int window_bits) {
        if (!ok_ || inflateReset2(&stream_, window_bits) != Z_OK) return nullptr;
        stream_.next_in = nullptr;  // reset keeps the previous body's input position
        stream_.avail_in = 0;
        return &stream_;
    }

private:
    z_stream stream_{};
    bool ok_ = false;
};

DecodeResult inflate_bounded(std::string_view input, size_t max_output, ZlibFormat format) {
    const int window_bits = format == ZlibFormat::zlib   ? MAX_WBITS
                            : format == ZlibFormat::gzip ? MAX_WBITS + 16
                                                         : -MAX_WBITS;
    thread_local ThreadInflater inflater;
    z_stream* stream = inflater.reset(window_bits);
    if (stream == nullptr) return failure(DecodeStatus::corrupt, "zlib initialization failed");
    z_stream& zs = *stream;
    BoundedOutput out(max_output, input.size());
    size_t consumed = 0;  // input bytes handed to zlib before the current slice
    size_t sliced = 0;    // size of the current slice
    for (;;) {
        if (zs.avail_in == 0 && consumed + sliced < input.size()) {
            consumed += sliced;
            sliced = std::min(kZlibSlice, input.size() - consumed);
            // zlib's API takes a non-const pointer but never writes through next_in.
            zs.next_in = const_cast<Bytef*>(bytes(input) + consumed);
            zs.avail_in = static_cast<uInt>(sliced);
        }
        const std::span<uint8_t> space = out.spare();
        if (space.empty()) return too_large(max_output);
        const size_t offer = std::min(kZlibSlice, space.size());
        zs.next_out = space.data();
        zs.avail_out = static_cast<uInt>(offer);
        const int rc = inflate(&zs, Z_NO_FLUSH);
        out.commit(offer - zs.avail_out);
        if (out.exceeded()) return too_large(max_output);
        if (rc == Z_STREAM_END) {
            const size_t rest = input.size() - (consumed + sliced) + zs.avail_in;
            if (rest == 0) return {.status = DecodeStatus::ok, .data = out.take(), .error = {}};
            const std::string_view tail = input.substr(input.size() - rest);
            // Concatenated gzip members decode as one body (RFC 1952 §2.2).
            if (format != ZlibFormat::gzip || tail.size() < 2 || tail[0] != '\x1f' ||
                tail[1] != '\x8b') {
                return failure(DecodeStatus::corrupt, "trailing data after compressed stream");
            }
            inflateReset(&zs);
            continue;
        }
        if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed + sliced == input.size()) {
            return failure(DecodeStatus::corrupt, "truncated compressed stream");
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return failure(DecodeStatus::corrupt,
                           zs.msg != nullptr ? zs.msg : "corrupt deflate stream");
        }
    }
}

// The common case, fast: one gzip member whose trailer (ISIZE, RFC 1952) announces a size
// within the limit, decoded by libdeflate into a buffer of exactly that size (2-3x faster than
// zlib on request-sized bodies). nullopt hands the body to the bounded zlib path, which also
// covers lying trailers, several members, bombs and corrupt data with the right answer.
std::optional<DecodeResult> gunzip_single_member(std::string_view input, size_t max_output) {
    if (input.size() < 18) return std::nullopt;
    const auto byte = [&](size_t i) {
        return static_cast<uint32_t>(static_cast<uint8_t>(input[i]));
    };
    const size_t tail = input.size() - 4;
    const size_t announced =
        byte(tail) | byte(tail + 1) << 8 | byte(tail + 2) << 16 | byte(tail + 3) << 24;
    if (announced > max_output || announced > (64u << 20)) return std::nullopt;
    thread_local const std::unique_ptr<libdeflate_decompressor,
                                       decltype(&libdeflate_free_decompressor)>
        decompressor(libdeflate_alloc_decompressor(), &libdeflate_free_decompressor);
    if (!decompressor) return std::nullopt;
    std::string out(announced, '\0');
    size_t consumed = 0;
    size_t produced = 0;
    const libdeflate_result result =
        libdeflate_gzip_decompress_ex(decompressor.get(), input.data(), input.size(), out.data(),
                                      out.size(), &consumed, &produced);
    if (result != LIBDEFLATE_SUCCESS || consumed != input.size() || produced != announced) {
        return std::nullopt;
    }
    return DecodeResult{.status = DecodeStatus::ok, .data = std::move(out), .error = {}};
}

// RFC 1950 header: compression method 8, window <= 32 KiB, check bits make it a multiple of 31.
bool has_zlib_header(std::string_view input) {
    if (input.size() < 2) return false;
    const unsigned cmf = static_cast<unsigned char>(input[0]);
    const unsigned flg = static_cast<unsigned char>(input[1]);
    return (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

DecodeResult inflate_deflate(std::string_view input, size_t max_output) {
    if (!has_zlib_header(input)) return inflate_bounded(input, max_output, ZlibFormat::raw);
    DecodeResult wrapped = inflate_bounded(input, max_output, ZlibFormat::zlib);
    if (wrapped.status != DecodeStatus::corrupt) return wrapped;
    // A raw stream can begin with bytes that happen to look like a zlib header.
    DecodeResult raw = inflate_bounded(input, max_output, ZlibFormat::raw);
    return raw.status == DecodeStatus::corrupt ? wrapped : raw;
}

DecodeResult brotli_decode(std::string_view input, size_t max_output) {
    const std::unique_ptr<BrotliDecoderState, decltype(&BrotliDecoderDestroyInstance)> state(
        BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), &BrotliDecoderDestroyInstance);
    if (!state) return failure(DecodeStatus::corrupt, "brotli initialization failed");
    BoundedOutput out(max_output, input.size());
    size_t avail_in = input.size();
    const uint8_t* next_in = bytes(input);
    for (;;) {
        const std::span<uint8_t> space = out.spare();
        if (space.empty()) return too_large(max_output);
        size_t avail_out = space.size();
        uint8_t* next_out = space.data();
        const BrotliDecoderResult rc = BrotliDecoderDecompressStream(
            state.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
        out.commit(space.size() - avail_out);
        if (out.exceeded()) return too_large(max_output);
        switch (rc) {
            case BROTLI_DECODER_RESULT_SUCCESS:
                if (avail_in != 0) {
                    return failure(DecodeStatus::corrupt, "trailing data after compressed stream");
                }
                return {.status = DecodeStatus::ok, .data = out.take(), .error = {}};
            case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
                break;
            case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
                return failure(DecodeStatus::corrupt, "truncated compressed stream");
            case BROTLI_DECODER_RESULT_ERROR:
                return failure(DecodeStatus::corrupt,
                               BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state.get())));
        }
    }
}

// Decodes one or more concatenated zstd frames (skippable frames included).
DecodeResult zstd_decode(std::string_view input, size_t max_output) {
    // One context per thread, reset per call (creating one costs more than a small frame).
    thread_local const std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(),
                                                                                &ZSTD_freeDCtx);
    if (!ctx || ZSTD_isError(ZSTD_DCtx_reset(ctx.get(), ZSTD_reset_session_only))) {
        return failure(DecodeStatus::corrupt, "zstd initialization failed");
    }
    if (input.empty()) return failure(DecodeStatus::corrupt, "truncated compressed stream");
    BoundedOutput out(max_output, input.size());
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    for (;;) {
        const std::span<uint8_t> space = out.spare();
        if (space.empty()) return too_large(max_output);
        ZSTD_outBuffer buf{space.data(), space.size(), 0};
        const size_t rc = ZSTD_decompressStream(ctx.get(), &buf, &in);
        out.commit(buf.pos);
        if (ZSTD_isError(rc)) return failure(DecodeStatus::corrupt, ZSTD_getErrorName(rc));
        if (out.exceeded()) return too_large(max_output);
        if (in.pos == in.size) {
            if (rc == 0) return {.status = DecodeStatus::ok, .data = out.take(), .error = {}};
            // Input is used up and the output had room: the frame is unfinished.
            if (buf.pos < buf.size) {
                return failure(DecodeStatus::corrupt, "truncated compressed stream");
            }
        }
    }
}

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string normalize_encoding(std::string_view encoding) {
    while (!encoding.empty() && is_space(encoding.front())) encoding.remove_prefix(1);
    while (!encoding.empty() && is_space(encoding.back())) encoding.remove_suffix(1);
    std::string name(encoding);
    std::transform(name.begin(), name.end(), name.begin(), ascii_lower);
    return name;
}

// Runs a zlib deflate stream over `input` with the given window bits (31 = gzip, 15 = zlib).
std::string deflate_all(std::string_view input, int level, int window_bits) {
    z_stream zs{};
    if (deflateInit2(&zs, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    const std::unique_ptr<z_stream, decltype(&deflateEnd)> guard(&zs, &deflateEnd);
    std::string out;
    std::array<uint8_t, 64 * 1024> chunk{};
    size_t offset = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (zs.avail_in == 0 && offset < input.size()) {
            const size_t slice = std::min(kZlibSlice, input.size() - offset);
            zs.next_in = const_cast<Bytef*>(bytes(input) + offset);
            zs.avail_in = static_cast<uInt>(slice);
            offset += slice;
        }
        zs.next_out = chunk.data();
        zs.avail_out = static_cast<uInt>(chunk.size());
        rc = deflate(&zs, offset == input.size() ? Z_FINISH : Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            throw std::runtime_error("deflate failed");
        }
        out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - zs.avail_out);
    }
    return out;
}

}  // namespace

DecodeResult decode_content(std::string_view encoding, std::string_view input, size_t max_output) {
    const std::string name = normalize_encoding(encoding);
    if (name.empty() || name == "identity" || name == "utf-8") {
        if (input.size() > max_output) return too_large(max_output);
        return {.status = DecodeStatus::ok, .data = std::string(input), .error = {}};
    }
    if (name == "gzip" || name == "x-gzip") {
        if (auto fast = gunzip_single_member(input, max_output)) return std::move(*fast);
        return inflate_bounded(input, max_output, ZlibFormat::gzip);
    }
    if (name == "deflate") return inflate_deflate(input, max_output);
    if (name == "br") return brotli_decode(input, max_output);
    if (name == "zstd") return zstd_decode(input, max_output);
    return failure(DecodeStatus::unsupported, "unsupported content encoding: " + name);
}

DecodeResult inflate_zlib(std::string_view input, size_t max_output) {
    return inflate_bounded(input, max_output, ZlibFormat::zlib);
}

std::optional<std::string> base64_decode(std::string_view input) {
    static constexpr auto kTable = [] {
        std::array<int8_t, 256> table{};
        table.fill(-1);
        constexpr std::string_view alphabet =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (size_t i = 0; i < alphabet.size(); ++i) {
            table[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
        }
        return table;
    }();
    std::string out;
    out.reserve(input.size() / 4 * 3 + 3);
    uint32_t acc = 0;
    size_t symbols = 0;
    size_t padding = 0;
    for (const char c : input) {
        if (is_space(c)) continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        const int8_t value = kTable[static_cast<unsigned char>(c)];
        if (value < 0 || padding > 0) return std::nullopt;  // bad symbol, or data after '='
        acc = (acc << 6) | static_cast<uint32_t>(value);
        if (++symbols % 4 == 0) {
            out.push_back(static_cast<char>(acc >> 16));
            out.push_back(static_cast<char>(acc >> 8));
            out.push_back(static_cast<char>(acc));
            acc = 0;
        }
    }
    const size_t tail = symbols % 4;
    if (tail == 1 || padding > 2 || (padding > 0 && (tail + padding) % 4 != 0)) {
        return std::nullopt;
    }
    if (tail == 2) out.push_back(static_cast<char>(acc >> 4));
    if (tail == 3) {
        out.push_back(static_cast<char>(acc >> 10));
        out.push_back(static_cast<char>(acc >> 2));
    }
    return out;
}

std::string base64_encode(std::string_view input) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((input.size() + 2) / 3 * 4);
    size_t i = 0;
    const auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(input[k])); };
    for (; i + 3 <= input.size(); i += 3) {
        const uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back(kAlphabet[v & 63]);
    }
    const size_t rest = input.size() - i;
    if (rest > 0) {
        const uint32_t v = (at(i) << 16) | (rest == 2 ? at(i + 1) << 8 : 0);
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

std::string zstd_compress(std::string_view input, int level) {
    thread_local const std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> ctx(ZSTD_createCCtx(),
                                                                                &ZSTD_freeCCtx);
    if (!ctx) throw std::runtime_error("zstd initialization failed");
    std::string out(ZSTD_compressBound(input.size()), '\0');
    const size_t n =
        ZSTD_compressCCtx(ctx.get(), out.data(), out.size(), input.data(), input.size(), level);
    if (ZSTD_isError(n)) throw std::runtime_error(ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

std::optional<std::string> zstd_decompress(std::string_view input, size_t max_output) {
    DecodeResult result = zstd_decode(input, max_output);
    if (result.status != DecodeStatus::ok) return std::nullopt;
    return std::move(result.data);
}

std::string gzip_compress(std::string_view input, int level) {
    return deflate_all(input, level, MAX_WBITS + 16);
}

std::string zlib_compress(std::string_view input, int level) {
    return deflate_all(input, level, MAX_WBITS);
}

std::string brotli_compress(std::string_view input, int quality) {
    const std::unique_ptr<BrotliEncoderState, decltype(&BrotliEncoderDestroyInstance)> state(
        BrotliEncoderCreateInstance(nullptr, nullptr, nullptr), &BrotliEncoderDestroyInstance);
    if (!state || !BrotliEncoderSetParameter(state.get(), BROTLI_PARAM_QUALITY,
                                             static_cast<uint32_t>(quality))) {
        throw std::runtime_error("brotli encoder initialization failed");
    }
    std::string out;
    std::array<uint8_t, 64 * 1024> chunk{};
    size_t avail_in = input.size();
    const uint8_t* next_in = bytes(input);
    while (!BrotliEncoderIsFinished(state.get())) {
        size_t avail_out = chunk.size();
        uint8_t* next_out = chunk.data();
        if (!BrotliEncoderCompressStream(state.get(), BROTLI_OPERATION_FINISH, &avail_in, &next_in,
                                         &avail_out, &next_out, nullptr)) {
            throw std::runtime_error("brotli compression failed");
        }
        out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - avail_out);
    }
    return out;
}

}  // namespace lt
