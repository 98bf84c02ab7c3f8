/* insecure.c - which registries are insecure, as dockerd decides it: those
 * named in insecure-registries (host[:port], matched whole), and those whose
 * address falls in one of its CIDRs or in the defaults 127.0.0.0/8 and
 * ::1/128. docker.io never is. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "registry/client.h"

static const char *const default_cidrs[] = {"127.0.0.0/8", "::1/128", NULL};

/* An address as 16 bytes (IPv4 mapped into ::ffff:0:0/96) so that both
 * families compare with one loop; *v4 says which it was. */
static bool parse_ip(const char *s, unsigned char a[16], bool *v4)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET6, s, a) == 1) {
		*v4 = false;
		return true;
	}
	if (inet_pton(AF_INET, s, a + 12) != 1)
		return false;
	a[10] = a[11] = 0xff;
	*v4 = true;
	return true;
}

/* "10.0.0.0/8", "fd00::/8": true when ip (16 bytes) is inside. Anything
 * that is not a CIDR matches nothing. */
static bool in_cidr(const unsigned char ip[16], bool ip_v4, const char *cidr)
{
	const char *slash = strchr(cidr, '/');
	unsigned char net[16];
	char addr[64];
	char *end;
	long bits;
	bool v4;

	if (!slash || (size_t)(slash - cidr) >= sizeof(addr))
		return false;
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - cidr), cidr);
	bits = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || !parse_ip(addr, net, &v4) || v4 != ip_v4 || bits < 0 ||
	    bits > (v4 ? 32 : 128))
		return false;
	if (v4)
		bits += 96;
	for (long i = 0; i < bits; i++) {
		unsigned char m = (unsigned char)(0x80 >> (i % 8));
		if ((ip[i / 8] & m) != (net[i / 8] & m))
			return false;
	}
	return true;
}

bool reg_insecure_ip(const char *ip, const char *const *insecure)
{
	unsigned char a[16];
	bool v4;

	if (!parse_ip(ip, a, &v4))
		return false;
	for (const char *const *p = default_cidrs; *p; p++)
		if (in_cidr(a, v4, *p))
			return true;
	for (const char *const *p = insecure; p && *p; p++)
		if (in_cidr(a, v4, *p))
			return true;
	return false;
}

/* The host of "host:port", "[v6]:port", "v6" (brackets dropped). */
static void host_part(const char *hostport, char *out, size_t size)
{
	const char *end;

	if (hostport[0] == '[' && (end = strchr(hostport, ']'))) {
		snprintf(out, size, "%.*s", (int)(end - hostport - 1), hostport + 1);
		return;
	}
	end = strchr(hostport, ':');
	if (end && strchr(end + 1, ':'))
		end = NULL; /* a bare IPv6 address */
	snprintf(out, size, "%.*s", end ? (int)(end - hostport) : (int)strlen(hostport), hostport);
}

/* dockerd looks the name up and checks every address it gets. */
static bool resolves_insecure(const char *host, const char *const *insecure)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
	struct addrinfo *res, *ai;
	char ip[INET6_ADDRSTRLEN];
	bool r = false;

	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return false; /* dockerd: a failed lookup means secure */
	for (ai = res; ai && !r; ai = ai->ai_next) {
		const void *a =
			ai->ai_family == AF_INET
				? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
				: (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    inet_ntop(ai->ai_family, a, ip, sizeof(ip)))
			r = reg_insecure_ip(ip, insecure);
	}
	freeaddrinfo(res);
	return r;
}

bool reg_insecure(const char *hostport, const char *const *insecure, bool resolve)
{
	char host[256];
	unsigned char a[16];
	bool v4;

	if (!strcmp(hostport, "docker.io") || !strcmp(hostport, "registry-1.docker.io"))
		return false;
	for (const char *const *p = insecure; p && *p; p++)
		if (!strcasecmp(*p, hostport))
			return true;
	host_part(hostport, host, sizeof(host));
	if (parse_ip(host, a, &v4))
		return reg_insecure_ip(host, insecure);
	/* Without a lookup: localhost is what every resolver makes of it. */
	if (!strcasecmp(host, "localhost"))
		return true;
	return resolve && resolves_insecure(host, insecure);
}
