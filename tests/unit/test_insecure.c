/* test_insecure.c - registry/insecure.c: which registries dockerd would
 * reach without verifying TLS (then over HTTP), by name, by the default
 * CIDRs and by the CIDRs of insecure-registries. No network: names are
 * not looked up except localhost, which never needs a lookup. */
#include <stdbool.h>

#include "registry/client.h"
#include "tap.h"

struct want {
	const char *host;
	bool insecure;
	const char *why;
};

int main(void)
{
	static const char *const list[] = {"reg.example:5000", "10.1.0.0/16", "fd00::/8",
					   "Upper.Example",    "not-a-cidr/", NULL};
	static const struct want cases[] = {
		{"127.0.0.1:5000", true, "127.0.0.0/8 by default"},
		{"127.255.3.4", true, "127.0.0.0/8, no port"},
		{"[::1]:5000", true, "::1/128 by default"},
		{"::1", true, "bare ::1"},
		{"localhost:5000", true, "localhost is 127.0.0.1"},
		{"LOCALHOST", true, "localhost in capitals"},
		{"128.0.0.1:5000", false, "just outside 127.0.0.0/8"},
		{"[::2]:5000", false, "::2 is not ::1"},
		{"reg.example:5000", true, "listed host:port"},
		{"reg.example:5001", false, "listed with another port"},
		{"reg.example", false, "listed with a port, asked without"},
		{"upper.example", true, "names compare without case"},
		{"10.1.200.3:443", true, "in a listed CIDR"},
		{"10.2.0.1:443", false, "outside the listed CIDR"},
		{"[fd12::1]:5000", true, "in a listed IPv6 CIDR"},
		{"[fe80::1]:5000", false, "outside the listed IPv6 CIDR"},
		{"docker.io", false, "docker.io never is"},
		{"registry-1.docker.io", false, "nor its host"},
		{"other.example:5000", false, "unlisted name, no lookup"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(reg_insecure(cases[i].host, list, false) == cases[i].insecure, "%s: %s (%s)",
		   cases[i].host, cases[i].insecure ? "insecure" : "secure", cases[i].why);
	ok(!reg_insecure("10.1.2.3", NULL, false), "no list: only the defaults");
	ok(reg_insecure("127.0.0.1", NULL, false), "no list: 127.0.0.1");
	ok(reg_insecure_ip("10.1.0.0", list), "network address of a CIDR");
	ok(!reg_insecure_ip("not-an-ip", list), "not an address");
	ok(reg_insecure_ip("10.1.255.255", list), "last address of a CIDR");
	return done_testing();
}
