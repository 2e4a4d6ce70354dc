#include "core/ip.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "core/text.h"

namespace lt {

namespace {

// An X-Forwarded-For entry without a port: "[v6]:port" -> "v6", "a.b.c.d:port" -> "a.b.c.d".
std::string_view without_port(std::string_view entry) {
    if (entry.starts_with('[')) {
        const size_t close = entry.find(']');
        return close == std::string_view::npos ? entry : entry.substr(1, close - 1);
    }
    const size_t colon = entry.find(':');
    if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos) {
        return entry.substr(0, colon);
    }
    return entry;
}

}  // namespace

std::string IpAddress::to_string() const {
    char buffer[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buffer, sizeof buffer) == nullptr) {
        return {};
    }
    return buffer;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
    char buffer[INET6_ADDRSTRLEN] = {};
    if (text.empty() || text.size() >= sizeof buffer) return std::nullopt;
    std::memcpy(buffer, text.data(), text.size());
    IpAddress address;
    if (inet_pton(AF_INET, buffer, address.bytes.data()) == 1) return address;
    if (inet_pton(AF_INET6, buffer, address.bytes.data()) != 1) return std::nullopt;
    static constexpr std::array<uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(address.bytes.data(), kMapped.data(), kMapped.size()) == 0) {
        std::memmove(address.bytes.data(), address.bytes.data() + 12, 4);
        std::memset(address.bytes.data() + 4, 0, 12);
        return address;
    }
    address.v6 = true;
    return address;
}

bool IpNetwork::contains(const IpAddress& address) const {
    if (address.v6 != base.v6) return false;
    const unsigned whole = prefix / 8;
    if (std::memcmp(address.bytes.data(), base.bytes.data(), whole) != 0) return false;
    const unsigned rest = prefix % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
    return (address.bytes[whole] & mask) == (base.bytes[whole] & mask);
}

std::string IpNetwork::to_string() const {
    return base.to_string() + "/" + std::to_string(prefix);
}

std::optional<IpNetwork> parse_network(std::string_view text) {
    const size_t slash = text.find('/');
    const std::string_view host = text.substr(0, slash);
    std::optional<IpAddress> address = parse_ip(host);
    if (!address) return std::nullopt;
    // An IPv4-mapped IPv6 network is the IPv4 network of its last 32 bits.
    const bool written_as_v6 = host.find(':') != std::string_view::npos;
    const unsigned text_bits = written_as_v6 ? 128 : 32;
    unsigned prefix = text_bits;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || digits.size() > 3 || ec != std::errc() ||
            end != digits.data() + digits.size() || prefix > text_bits) {
            return std::nullopt;
        }
    }
    if (written_as_v6 && !address->v6) {
        if (prefix < 96) return std::nullopt;
        prefix -= 96;
    }
    IpNetwork network;
    network.prefix = prefix;
    network.base = *address;
    const unsigned bits = address->v6 ? 128 : 32;
    for (unsigned bit = prefix; bit < bits; ++bit) {
        network.base.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
    }
    return network;
}

NetworkList parse_networks(std::string_view text) {
    NetworkList list;
    while (true) {
        const size_t comma = text.find(',');
        const std::string_view item = trim_ascii_space(text.substr(0, comma));
        if (!item.empty()) {
            std::optional<IpNetwork> network = parse_network(item);
            if (!network) {
                list.networks.clear();
                list.error = "invalid CIDR '" + std::string(item) +
                             "': expected ADDRESS/PREFIX, e.g. 10.0.0.0/8 or 2001:db8::/32";
                return list;
            }
            list.networks.push_back(*network);
        }
        if (comma == std::string_view::npos) return list;
        text.remove_prefix(comma + 1);
    }
}

bool TrustedProxies::trusts(const IpAddress& address) const {
    for (const IpNetwork& network : networks_) {
        if (network.contains(address)) return true;
    }
    return false;
}

std::string TrustedProxies::client_ip(std::string_view peer, std::string_view forwarded_for) const {
    if (networks_.empty()) return std::string(peer);
    const std::optional<IpAddress> peer_address = parse_ip(peer);
    if (!peer_address || !trusts(*peer_address)) return std::string(peer);
    std::string reached(peer);
    while (!forwarded_for.empty()) {
        const size_t comma = forwarded_for.rfind(',');
        const std::string_view entry = trim_ascii_space(
            comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
        forwarded_for =
            comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
        if (entry.empty()) continue;
        const std::optional<IpAddress> address = parse_ip(without_port(entry));
        if (!address) break;
        reached = address->to_string();
        if (!trusts(*address)) break;
    }
    return reached;
}

}  // namespace lt
