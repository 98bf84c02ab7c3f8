/* test_subnet.c - prefix parsing, masks, overlaps and the default pools
 * the daemon's networks take their subnets from. */
#include <stdio.h>
#include <string.h>

#include "core/daemon/subnet.h"
#include "tap.h"

static const char *fmt(const struct subnet *p, bool bits)
{
	static char buf[4][SUBNET_STR_MAX];
	static int k;

	k = (k + 1) % 4;
	subnet_str(p, bits, buf[k], sizeof(buf[k]));
	return buf[k];
}

static struct subnet P(const char *s) {
	struct subnet p;

	if (subnet_parse(s, &p) < 0)
		memset(&p, 0, sizeof(p));
	return p;
}

int main(void)
{
	const char *bad[] = {"",         "10.0.0.0",    "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1",
			     "10.0.0/8", "10.0.0.0/8x", "::/129",    "x/8",         "10.0.0.0/08",
			     NULL};
	struct subnet p, q, used[32];
	size_t n = 0;

	for (int i = 0; bad[i]; i++)
		ok(subnet_parse(bad[i], &p) < 0, "refused: '%s'", bad[i]);
	ok(subnet_parse("172.18.0.0/16", &p) == 0 && p.fam == 4 && p.bits == 16, "IPv4 prefix");
	is_str(fmt(&p, true), "172.18.0.0/16", "printed back");
	ok(subnet_parse("fd00:1::/64", &p) == 0 && p.fam == 6 && p.bits == 64, "IPv6 prefix");
	is_str(fmt(&p, true), "fd00:1::/64", "printed back");
	ok(subnet_parse_addr("10.1.2.3", &p) == 0 && p.bits == 32, "address");
	ok(subnet_parse_addr("10.1.2.3/8", &p) < 0, "an address has no length");

	p = P("10.1.2.3/16");
	ok(!subnet_is_masked(&p), "10.1.2.3/16 is not masked");
	q = subnet_masked(&p);
	is_str(fmt(&q, true), "10.1.0.0/16", "masked");
	p = P("10.1.2.3/20");
	q = subnet_masked(&p);
	is_str(fmt(&q, true), "10.1.0.0/20", "masked inside a byte");
	p = P("fd00:1:2:3::5/48");
	q = subnet_masked(&p);
	is_str(fmt(&q, true), "fd00:1:2::/48", "IPv6 masked");
	p = P("0.0.0.0/0");
	ok(subnet_is_masked(&p), "/0");

	p = P("172.18.0.0/16");
	q = P("172.18.5.0/24");
	ok(subnet_overlaps(&p, &q) && subnet_overlaps(&q, &p), "overlap both ways");
	q = P("172.19.0.0/24");
	ok(!subnet_overlaps(&p, &q), "neighbours do not overlap");
	subnet_parse_addr("172.18.255.255", &q);
	ok(subnet_contains(&p, &q), "contains its last address");
	subnet_parse_addr("172.19.0.0", &q);
	ok(!subnet_contains(&p, &q), "not the next one");
	q = P("::/0");
	ok(!subnet_overlaps(&p, &q), "families never overlap");

	q = subnet_host(&p, 1);
	is_str(fmt(&q, false), "172.18.0.1", "gateway .1");
	p = P("10.0.0.0/8");
	q = subnet_host(&p, 256);
	is_str(fmt(&q, false), "10.0.1.0", "carry into the next byte");
	p = P("fd00::/64");
	q = subnet_host(&p, 1);
	is_str(fmt(&q, false), "fd00::1", "IPv6 ::1");

	ok(subnet_next_pool(used, n, &p) == 0, "a pool when nothing is used");
	is_str(fmt(&p, true), "172.17.0.0/16", "172.17.0.0/16 first");
	used[n++] = P("172.17.0.0/16");
	used[n++] = P("172.19.3.0/24");
	subnet_next_pool(used, n, &p);
	is_str(fmt(&p, true), "172.18.0.0/16", "then 172.18");
	used[n++] = P("172.18.0.0/16");
	subnet_next_pool(used, n, &p);
	is_str(fmt(&p, true), "172.20.0.0/16", "172.19 is partly used: skipped");
	used[n++] = P("172.16.0.0/12");
	subnet_next_pool(used, n, &p);
	is_str(fmt(&p, true), "192.168.0.0/20", "then 192.168.0.0/20");
	used[n++] = P("192.168.0.0/19");
	subnet_next_pool(used, n, &p);
	is_str(fmt(&p, true), "192.168.32.0/20", "then the next /20");
	used[n++] = P("192.168.0.0/16");
	ok(subnet_next_pool(used, n, &p) < 0, "none when all are used");
	return done_testing();
}
