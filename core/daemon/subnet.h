/* subnet.h - IPv4 and IPv6 prefixes for the daemon's network records:
 * parse, check, compare, and pick a free subnet from dockerd's default
 * local pools (172.17-31.0.0/16, then 192.168.0.0/16 in /20s). */
#ifndef TUG_DAEMON_SUBNET_H
#define TUG_DAEMON_SUBNET_H

#include <stdbool.h>
#include <stddef.h>

struct subnet {
	unsigned char a[16]; /* IPv4 in the first 4 bytes */
	int fam; /* 4 or 6 */
	int bits; /* prefix length; 32 or 128 for an address */
};

#define SUBNET_STR_MAX 64

/* "172.18.0.0/16" / "fd00::/64"; an address "10.0.0.1" / "::1". 0 or -1. */
int subnet_parse(const char *s, struct subnet *out);
int subnet_parse_addr(const char *s, struct subnet *out);
/* "a.b.c.d/n", or without "/n" when bits is -1 (an address). */
void subnet_str(const struct subnet *p, bool with_bits, char *buf, size_t size);

/* The prefix with its host bits cleared. */
struct subnet subnet_masked(const struct subnet *p);
bool subnet_is_masked(const struct subnet *p);
/* Same family and addr inside p / the two prefixes share an address. */
bool subnet_contains(const struct subnet *p, const struct subnet *addr);
bool subnet_overlaps(const struct subnet *a, const struct subnet *b);
/* The address n after p's first one (n = 1: the usual gateway). */
struct subnet subnet_host(const struct subnet *p, unsigned n);

/* The first default pool that overlaps none of used[0..n); -1 when all are
 * taken. */
int subnet_next_pool(const struct subnet *used, size_t n, struct subnet *out);

#endif
