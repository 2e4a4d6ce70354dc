#include "core/ip.h"

#include <gtest/gtest.h>

namespace lt {

namespace {

IpAddress ip(std::string_view text) {
    auto address = parse_ip(text);
    EXPECT_TRUE(address) << text;
    return address.value_or(IpAddress{});
}

IpNetwork net(std::string_view text) {
    auto network = parse_network(text);
    EXPECT_TRUE(network) << text;
    return network.value_or(IpNetwork{});
}

TrustedProxies proxies(std::string_view list) {
    NetworkList parsed = parse_networks(list);
    EXPECT_EQ(parsed.error, "") << list;
    return TrustedProxies(parsed.networks);
}

}  // namespace

TEST(ParseIp, Ipv4AndIpv6) {
    EXPECT_FALSE(ip("10.0.0.1").v6);
    EXPECT_EQ(ip("10.0.0.1").to_string(), "10.0.0.1");
    EXPECT_TRUE(ip("2001:db8::1").v6);
    EXPECT_EQ(ip("2001:0db8:0000::0001").to_string(), "2001:db8::1");
    EXPECT_EQ(ip("::1").to_string(), "::1");
}

TEST(ParseIp, MappedIpv4IsIpv4) {
    const IpAddress mapped = ip("::ffff:192.0.2.5");
    EXPECT_FALSE(mapped.v6);
    EXPECT_EQ(mapped, ip("192.0.2.5"));
    EXPECT_EQ(mapped.to_string(), "192.0.2.5");
}

TEST(ParseIp, RejectsEverythingElse) {
    for (std::string_view bad :
         {"", " 10.0.0.1", "10.0.0.1 ", "10.0.0", "10.0.0.256", "1.2.3.4.5", "010.0.0.1x",
          "fe80::1%eth0", "2001:db8:::1", "localhost", "[::1]", "10.0.0.1/8", "0x0a.0.0.1"}) {
        EXPECT_FALSE(parse_ip(bad)) << bad;
    }
    EXPECT_FALSE(parse_ip(std::string(100, '1')));
}

TEST(ParseNetwork, PrefixesAndHostBits) {
    EXPECT_EQ(net("10.1.2.3/8").to_string(), "10.0.0.0/8");
    EXPECT_EQ(net("192.168.77.1/20").to_string(), "192.168.64.0/20");
    EXPECT_EQ(net("127.0.0.1").to_string(), "127.0.0.1/32");
    EXPECT_EQ(net("0.0.0.0/0").to_string(), "0.0.0.0/0");
    EXPECT_EQ(net("2001:db8:abcd::1/33").to_string(), "2001:db8:8000::/33");
    EXPECT_EQ(net("::1").to_string(), "::1/128");
    EXPECT_EQ(net("::/0").to_string(), "::/0");
    EXPECT_EQ(net("::ffff:10.9.0.0/112").to_string(), "10.9.0.0/16");
}

TEST(ParseNetwork, RejectsBadPrefixes) {
    for (std::string_view bad :
         {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "10.0.0.0/0008", "::/129",
          "::ffff:10.0.0.0/95", "/8", "10.0.0.0/8/8", "10.0.0.0 /8", "example.com/8"}) {
        EXPECT_FALSE(parse_network(bad)) << bad;
    }
}

TEST(IpNetworkContains, Ipv4) {
    const IpNetwork network = net("10.0.0.0/8");
    EXPECT_TRUE(network.contains(ip("10.0.0.0")));
    EXPECT_TRUE(network.contains(ip("10.255.255.255")));
    EXPECT_FALSE(network.contains(ip("11.0.0.0")));
    EXPECT_FALSE(network.contains(ip("9.255.255.255")));
    EXPECT_TRUE(network.contains(ip("::ffff:10.1.1.1")));
    EXPECT_FALSE(network.contains(ip("::a01:101")));  // IPv4-compatible, not mapped
    const IpNetwork odd = net("192.168.64.0/20");
    EXPECT_TRUE(odd.contains(ip("192.168.79.255")));
    EXPECT_FALSE(odd.contains(ip("192.168.80.0")));
    EXPECT_FALSE(odd.contains(ip("192.168.63.255")));
    EXPECT_TRUE(net("0.0.0.0/0").contains(ip("203.0.113.7")));
    EXPECT_FALSE(net("0.0.0.0/0").contains(ip("2001:db8::1")));
    EXPECT_TRUE(net("127.0.0.1/32").contains(ip("127.0.0.1")));
    EXPECT_FALSE(net("127.0.0.1/32").contains(ip("127.0.0.2")));
}

TEST(IpNetworkContains, Ipv6) {
    const IpNetwork network = net("2001:db8::/32");
    EXPECT_TRUE(network.contains(ip("2001:db8:ffff::1")));
    EXPECT_FALSE(network.contains(ip("2001:db9::1")));
    EXPECT_FALSE(network.contains(ip("32.1.13.184")));  // the same first bytes, as IPv4
    EXPECT_TRUE(net("fd00::/8").contains(ip("fdff::1")));
    EXPECT_FALSE(net("fd00::/8").contains(ip("fc00::1")));
    EXPECT_TRUE(net("::/0").contains(ip("::1")));
    EXPECT_FALSE(net("::/0").contains(ip("127.0.0.1")));
    EXPECT_TRUE(net("2001:db8::1/127").contains(ip("2001:db8::1")));
    EXPECT_FALSE(net("2001:db8::1/127").contains(ip("2001:db8::2")));
}

TEST(ParseNetworks, ListsAndErrors) {
    NetworkList list = parse_networks(" 10.0.0.0/8, ,172.16.0.0/12,fd00::/8 ");
    ASSERT_EQ(list.error, "");
    ASSERT_EQ(list.networks.size(), 3u);
    EXPECT_EQ(list.networks[2].to_string(), "fd00::/8");
    EXPECT_TRUE(parse_networks("").networks.empty());
    EXPECT_EQ(parse_networks("").error, "");

    list = parse_networks("10.0.0.0/8,10.0.0.0/40,bogus");
    EXPECT_TRUE(list.networks.empty());
    EXPECT_NE(list.error.find("'10.0.0.0/40'"), std::string::npos) << list.error;
}

TEST(TrustedProxiesClientIp, WithoutTrustThePeerIsTheClient) {
    EXPECT_EQ(TrustedProxies().client_ip("127.0.0.1", "203.0.113.7"), "127.0.0.1");
    const TrustedProxies trusted = proxies("10.0.0.0/8");
    EXPECT_EQ(trusted.client_ip("198.51.100.1", "203.0.113.7"), "198.51.100.1");
    EXPECT_EQ(trusted.client_ip("", "203.0.113.7"), "");
    EXPECT_EQ(trusted.client_ip("not-an-ip", "203.0.113.7"), "not-an-ip");
}

TEST(TrustedProxiesClientIp, TrustedPeerWithoutHeader) {
    EXPECT_EQ(proxies("127.0.0.1/32").client_ip("127.0.0.1", ""), "127.0.0.1");
    EXPECT_EQ(proxies("127.0.0.1/32").client_ip("127.0.0.1", " , "), "127.0.0.1");
}

TEST(TrustedProxiesClientIp, RightMostUntrustedEntry) {
    const TrustedProxies trusted = proxies("10.0.0.0/8,192.168.0.0/16");
    // client, then proxies appending the address they received from
    EXPECT_EQ(trusted.client_ip("10.0.0.2", "203.0.113.7"), "203.0.113.7");
    EXPECT_EQ(trusted.client_ip("10.0.0.2", "203.0.113.7, 192.168.1.1, 10.0.0.1"), "203.0.113.7");
    // a spoofed left part is ignored: only the right-most untrusted hop counts
    EXPECT_EQ(trusted.client_ip("10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.1"), "203.0.113.7");
    // several headers arrive joined with ","
    EXPECT_EQ(trusted.client_ip("10.0.0.2", "198.51.100.9,203.0.113.7,10.9.9.9"), "203.0.113.7");
}

TEST(TrustedProxiesClientIp, AllTrustedGivesTheLeftMost) {
    const TrustedProxies trusted = proxies("10.0.0.0/8");
    EXPECT_EQ(trusted.client_ip("10.0.0.2", "10.1.1.1, 10.2.2.2"), "10.1.1.1");
}

TEST(TrustedProxiesClientIp, GarbageStopsTheWalk) {
    const TrustedProxies trusted = proxies("10.0.0.0/8");
    EXPECT_EQ(trusted.client_ip("10.0.0.2", "203.0.113.7, unknown"), "10.0.0.2");
    EXPECT_EQ(trusted.client_ip("10.0.0.2", "203.0.113.7, garbage, 10.0.0.5"), "10.0.0.5");
    EXPECT_EQ(trusted.client_ip("10.0.0.2", "1.2.3.4, 203.0.113.7, ,10.0.0.5"), "203.0.113.7");
}

TEST(TrustedProxiesClientIp, PortsAndCanonicalForms) {
    const TrustedProxies trusted = proxies("10.0.0.0/8, fd00::/8");
    EXPECT_EQ(trusted.client_ip("10.0.0.2", "203.0.113.7:51234"), "203.0.113.7");
    EXPECT_EQ(trusted.client_ip("10.0.0.2", "[2001:DB8::0001]:443"), "2001:db8::1");
    EXPECT_EQ(trusted.client_ip("fd00::1", "2001:db8:0::7, fd12::3"), "2001:db8::7");
    EXPECT_EQ(trusted.client_ip("::ffff:10.0.0.2", "::ffff:203.0.113.7"), "203.0.113.7");
}

}  // namespace lt
