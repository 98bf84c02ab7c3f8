/* tls-ip.c - match an IP literal against a certificate's iPAddress
 * subjectAltNames, which BearSSL's X.509 engine does not look at. A small
 * DER walk over the end-entity certificate, nothing more. */
#include <arpa/inet.h>
#include <string.h>

#include "tls.h"

struct der {
	const unsigned char *p, *end;
};

/* The next TLV of d: its tag (single byte tags only) and contents. */
static int der_next(struct der *d, unsigned *tag, struct der *val)
{
	size_t len = 0;
	unsigned char b;

	if (d->end - d->p < 2)
		return -1;
	*tag = *d->p++;
	if ((*tag & 0x1f) == 0x1f)
		return -1;
	b = *d->p++;
	if (b & 0x80) {
		unsigned n = b & 0x7f;
		if (n == 0 || n > 4 || (size_t)(d->end - d->p) < n)
			return -1;
		while (n--)
			len = len << 8 | *d->p++;
	} else {
		len = b;
	}
	if ((size_t)(d->end - d->p) < len)
		return -1;
	val->p = d->p;
	val->end = d->p + len;
	d->p += len;
	return 0;
}

/* Enter the SEQUENCE at the start of d. */
static int der_seq(struct der *d, struct der *in)
{
	unsigned tag;

	return der_next(d, &tag, in) < 0 || tag != 0x30 ? -1 : 0;
}

/* GeneralNames: iPAddress is [7] IMPLICIT OCTET STRING, 4 or 16 bytes. */
static int names_have(struct der names, const unsigned char *ip, size_t iplen)
{
	struct der seq, v;
	unsigned tag;

	if (der_seq(&names, &seq) < 0)
		return -1;
	while (seq.p < seq.end) {
		if (der_next(&seq, &tag, &v) < 0)
			return -1;
		if (tag == 0x87 && (size_t)(v.end - v.p) == iplen && !memcmp(v.p, ip, iplen))
			return 1;
	}
	return 0;
}

/* Extensions: SEQUENCE OF { OID, [BOOLEAN critical], OCTET STRING value }. */
static int extensions_have(struct der exts, const unsigned char *ip, size_t iplen)
{
	static const unsigned char san_oid[] = {0x55, 0x1d, 0x11}; /* 2.5.29.17 */
	struct der seq, ext, oid, v;
	unsigned tag;

	if (der_seq(&exts, &seq) < 0)
		return -1;
	while (seq.p < seq.end) {
		if (der_seq(&seq, &ext) < 0 || der_next(&ext, &tag, &oid) < 0 || tag != 0x06)
			return -1;
		if ((size_t)(oid.end - oid.p) != sizeof(san_oid) ||
		    memcmp(oid.p, san_oid, sizeof(san_oid)))
			continue;
		if (der_next(&ext, &tag, &v) < 0)
			return -1;
		if (tag == 0x01 && der_next(&ext, &tag, &v) < 0)
			return -1;
		if (tag != 0x04)
			return -1;
		return names_have(v, ip, iplen);
	}
	return 0;
}

int tls_cert_has_ip(const unsigned char *der, size_t len, const char *ip)
{
	unsigned char a[16];
	size_t alen = 4;
	struct der d = {der, der + len}, cert, tbs, v;
	unsigned tag;

	if (inet_pton(AF_INET, ip, a) != 1) {
		if (inet_pton(AF_INET6, ip, a) != 1)
			return 0;
		alen = 16;
	}
	if (der_seq(&d, &cert) < 0 || der_seq(&cert, &tbs) < 0)
		return -1;
	/* tbsCertificate: the extensions are the [3] EXPLICIT element. */
	while (tbs.p < tbs.end) {
		if (der_next(&tbs, &tag, &v) < 0)
			return -1;
		if (tag == 0xa3)
			return extensions_have(v, a, alen);
	}
	return 0;
}
