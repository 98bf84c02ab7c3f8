/* demux.c - stdcopy frames split back into stdout and stderr (demux.h). */
#include <string.h>

#include "core/client/demux.h"

void demux_init(struct demux *d)
{
	memset(d, 0, sizeof(*d));
}

int demux_idle(const struct demux *d)
{
	return d->hlen == 0 && d->left == 0;
}

static int header_done(struct demux *d, struct err *e)
{
	if (d->hdr[0] > 3 || d->hdr[1] || d->hdr[2] || d->hdr[3])
		return err_set(e, "bad stream frame header %02x %02x %02x %02x", d->hdr[0],
			       d->hdr[1], d->hdr[2], d->hdr[3]);
	d->stream = d->hdr[0];
	d->left = (uint32_t)d->hdr[4] << 24 | (uint32_t)d->hdr[5] << 16 | (uint32_t)d->hdr[6] << 8 |
		  d->hdr[7];
	d->hlen = 0;
	return 0;
}

int demux_feed(struct demux *d, const char *buf, size_t len, demux_out out, void *ctx,
	       struct err *e)
{
	while (len) {
		size_t n;

		if (!d->left) {
			n = sizeof(d->hdr) - d->hlen < len ? sizeof(d->hdr) - d->hlen : len;
			memcpy(d->hdr + d->hlen, buf, n);
			d->hlen += n;
			buf += n;
			len -= n;
			if (d->hlen == sizeof(d->hdr) && header_done(d, e) < 0)
				return -1;
			continue;
		}
		n = d->left < len ? d->left : len;
		if (out(ctx, d->stream, buf, n, e) < 0)
			return -1;
		d->left -= (uint32_t)n;
		buf += n;
		len -= n;
	}
	return 0;
}
