/* subnet.c - prefix arithmetic on 16-byte addresses (IPv4 in the first 4),
 * inet_pton/inet_ntop for the text forms. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/daemon/subnet.h"

int subnet_parse_addr(const char *s, struct subnet *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->fam = 4;
		out->bits = 32;
		return 0;
	}
	if (strchr(s, ':') && inet_pton(AF_INET6, s, out->a) == 1) {
		out->fam = 6;
		out->bits = 128;
		return 0;
	}
	return -1;
}

int subnet_parse(const char *s, struct subnet *out)
{
	const char *slash = strchr(s, '/');
	char addr[SUBNET_STR_MAX], *end;
	long bits;

	if (!slash || (size_t)(slash - s) >= sizeof(addr) || !slash[1])
		return -1;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (subnet_parse_addr(addr, out) < 0)
		return -1;
	if (slash[1] == '0' && slash[2]) /* "/08": netip refuses a leading zero */
		return -1;
	bits = strtol(slash + 1, &end, 10);
	if (*end || slash[1] < '0' || slash[1] > '9' || bits < 0 || bits > out->bits)
		return -1;
	out->bits = (int)bits;
	return 0;
}

void subnet_str(const struct subnet *p, bool with_bits, char *buf, size_t size)
{
	char t[INET6_ADDRSTRLEN];

	inet_ntop(p->fam == 4 ? AF_INET : AF_INET6, p->a, t, sizeof(t));
	if (with_bits)
		snprintf(buf, size, "%s/%d", t, p->bits);
	else
		snprintf(buf, size, "%s", t);
}

struct subnet subnet_masked(const struct subnet *p)
{
	struct subnet m = *p;
	int len = p->fam == 4 ? 4 : 16;

	for (int i = 0; i < len; i++) {
		int keep = p->bits - 8 * i;
		if (keep >= 8)
			continue;
		m.a[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
	return m;
}

bool subnet_is_masked(const struct subnet *p)
{
	struct subnet m = subnet_masked(p);

	return !memcmp(m.a, p->a, sizeof(m.a));
}

bool subnet_contains(const struct subnet *p, const struct subnet *addr)
{
	struct subnet x = *addr, m;

	if (p->fam != addr->fam || addr->bits < p->bits)
		return false;
	x.bits = p->bits;
	x = subnet_masked(&x);
	m = subnet_masked(p);
	return !memcmp(x.a, m.a, sizeof(x.a));
}

bool subnet_overlaps(const struct subnet *a, const struct subnet *b)
{
	return a->bits <= b->bits ? subnet_contains(a, b) : subnet_contains(b, a);
}

struct subnet subnet_host(const struct subnet *p, unsigned n)
{
	struct subnet h = subnet_masked(p);
	int i = (p->fam == 4 ? 4 : 16) - 1;
	unsigned carry = n;

	for (; i >= 0 && carry; i--) {
		carry += h.a[i];
		h.a[i] = (unsigned char)(carry & 0xff);
		carry >>= 8;
	}
	h.bits = p->fam == 4 ? 32 : 128;
	return h;
}

/* dockerd's local-scope defaults: each base split into prefixes of size. */
static const struct {
	unsigned char a, b, c;
	int base_bits, size;
} pools[] = {
	{172, 17, 0, 16, 16}, {172, 18, 0, 16, 16}, {172, 19, 0, 16, 16},  {172, 20, 0, 14, 16},
	{172, 24, 0, 14, 16}, {172, 28, 0, 14, 16}, {192, 168, 0, 16, 20},
};

static bool taken(const struct subnet *p, const struct subnet *used, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (subnet_overlaps(p, &used[i]))
			return true;
	return false;
}

int subnet_next_pool(const struct subnet *used, size_t n, struct subnet *out)
{
	for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
		unsigned count = 1u << (pools[i].size - pools[i].base_bits);
		struct subnet base = {.fam = 4, .bits = pools[i].size};

		base.a[0] = pools[i].a;
		base.a[1] = pools[i].b;
		base.a[2] = pools[i].c;
		for (unsigned k = 0; k < count; k++) {
			/* the k-th prefix of size bits: k << (32 - size) added to the base */
			unsigned long v =
				((unsigned long)base.a[0] << 24 | (unsigned long)base.a[1] << 16 |
				 (unsigned long)base.a[2] << 8) +
				((unsigned long)k << (32 - pools[i].size));
			struct subnet p = {.fam = 4, .bits = pools[i].size};
			p.a[0] = (unsigned char)(v >> 24);
			p.a[1] = (unsigned char)(v >> 16);
			p.a[2] = (unsigned char)(v >> 8);
			p.a[3] = (unsigned char)v;
			if (!taken(&p, used, n)) {
				*out = p;
				return 0;
			}
		}
	}
	return -1;
}
