#include "spool/record.h"

#include <bit>

namespace lt {
namespace {

// Layout (version 1), integers little endian:
// [u8 version][u8 endpoint][i64 project_id][f64 received_at]
// then client_ip, sdk_client, event_id, body, each as [u32 length][bytes].
constexpr uint8_t kVersion = 1;

void put_u32(std::string& out, uint32_t value) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

void put_u64(std::string& out, uint64_t value) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

void put_string(std::string& out, const std::string& value) {
    put_u32(out, static_cast<uint32_t>(value.size()));
    out.append(value);
}

class Cursor {
public:
    explicit Cursor(std::string_view bytes) : rest_(bytes) {}

    bool u8(uint8_t& value) {
        if (rest_.empty()) return false;
        value = static_cast<uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return true;
    }
    bool u32(uint32_t& value) {
        uint64_t wide = 0;
        if (!little_endian(4, wide)) return false;
        value = static_cast<uint32_t>(wide);
        return true;
    }
    bool u64(uint64_t& value) { return little_endian(8, value); }
    bool string(std::string& value) {
        uint32_t size = 0;
        if (!u32(size) || size > rest_.size()) return false;
        value.assign(rest_.substr(0, size));
        rest_.remove_prefix(size);
        return true;
    }
    bool at_end() const { return rest_.empty(); }

private:
    bool little_endian(size_t width, uint64_t& value) {
        if (rest_.size() < width) return false;
        value = 0;
        for (size_t i = 0; i < width; ++i)
            value |= uint64_t{static_cast<uint8_t>(rest_[i])} << (8 * i);
        rest_.remove_prefix(width);
        return true;
    }

    std::string_view rest_;
};

}  // namespace

std::string encode_spooled_request(const SpooledRequest& request) {
    std::string out;
    out.reserve(2 + 8 + 8 + 4 * 4 + request.client_ip.size() + request.sdk_client.size() +
                request.event_id.size() + request.body.size());
    out.push_back(static_cast<char>(kVersion));
    out.push_back(static_cast<char>(request.endpoint));
    put_u64(out, static_cast<uint64_t>(request.project_id));
    put_u64(out, std::bit_cast<uint64_t>(request.received_at));
    put_string(out, request.client_ip);
    put_string(out, request.sdk_client);
    put_string(out, request.event_id);
    put_string(out, request.body);
    return out;
}

std::optional<SpooledRequest> decode_spooled_request(std::string_view bytes) {
    Cursor in(bytes);
    uint8_t version = 0;
    uint8_t endpoint = 0;
    uint64_t project_id = 0;
    uint64_t received_at = 0;
    if (!in.u8(version) || version != kVersion) return std::nullopt;
    if (!in.u8(endpoint) || (endpoint != static_cast<uint8_t>(IngestEndpoint::envelope) &&
                             endpoint != static_cast<uint8_t>(IngestEndpoint::store)))
        return std::nullopt;
    if (!in.u64(project_id) || !in.u64(received_at)) return std::nullopt;
    SpooledRequest request;
    request.endpoint = static_cast<IngestEndpoint>(endpoint);
    request.project_id = static_cast<int64_t>(project_id);
    request.received_at = std::bit_cast<double>(received_at);
    if (!in.string(request.client_ip) || !in.string(request.sdk_client) ||
        !in.string(request.event_id) || !in.string(request.body) || !in.at_end())
        return std::nullopt;
    return request;
}

}  // namespace lt
