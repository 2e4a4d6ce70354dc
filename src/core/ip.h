// IP addresses, CIDR networks and the client address behind trusted reverse proxies.
//
// Contract
// - parse_ip() accepts the textual forms inet_pton() accepts: dotted-quad IPv4 ("10.0.0.1") and
//   IPv6 ("2001:db8::1", "::ffff:10.0.0.1"). An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a
//   dual-stack socket reports for IPv4 peers) is the IPv4 address: it matches IPv4 networks and
//   prints as "a.b.c.d". Surrounding spaces, zone ids ("%eth0") and anything else are rejected.
// - parse_network() accepts "ADDRESS/PREFIX" (0..32 for IPv4, 0..128 for IPv6) and a bare
//   ADDRESS (a single host: /32 or /128). Host bits below the prefix are ignored
//   ("10.1.2.3/8" is 10.0.0.0/8). An IPv4 network never contains an IPv6 address and vice versa,
//   except through the IPv4-mapped form above. parse_networks() reads a comma-separated list
//   (spaces around items allowed, empty items skipped) and names the first bad item.
// - TrustedProxies::client_ip(peer, forwarded_for): when `peer` (the TCP peer) is inside a trusted
//   network, X-Forwarded-For is walked from the right, skipping addresses that are themselves
//   trusted; the first untrusted one is the client. When every entry is trusted the left-most one
//   is the client; an entry that is not an IP address (entries may carry a port, "1.2.3.4:5678"
//   or "[2001:db8::1]:80", which is dropped) stops the walk and the last address reached is the
//   client. Otherwise (no trusted networks, an untrusted or unparsable peer, no header) the
//   result is `peer` unchanged. Addresses taken from the header are returned canonical
//   (inet_ntop). `forwarded_for` is the header's values in order, joined with ",".
// - Everything here is pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lt {

struct IpAddress {
    bool v6 = false;
    std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

    std::string to_string() const;
    bool operator==(const IpAddress&) const = default;
};

std::optional<IpAddress> parse_ip(std::string_view text);

struct IpNetwork {
    IpAddress base;       // host bits cleared
    unsigned prefix = 0;  // significant leading bits

    bool contains(const IpAddress& address) const;
    std::string to_string() const;  // "10.0.0.0/8"
};

std::optional<IpNetwork> parse_network(std::string_view text);

struct NetworkList {
    std::vector<IpNetwork> networks;
    std::string error;  // set when an item is invalid: "invalid CIDR 'x': ..."
};

NetworkList parse_networks(std::string_view text);

class TrustedProxies {
public:
    TrustedProxies() = default;
    explicit TrustedProxies(std::vector<IpNetwork> networks) : networks_(std::move(networks)) {}

    bool empty() const { return networks_.empty(); }
    const std::vector<IpNetwork>& networks() const { return networks_; }
    bool trusts(const IpAddress& address) const;

    std::string client_ip(std::string_view peer, std::string_view forwarded_for) const;

private:
    std::vector<IpNetwork> networks_;
};

}  // namespace lt
