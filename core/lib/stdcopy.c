/* stdcopy.c - Docker's stdio multiplexing: the frame writer and the
 * streaming demultiplexer (see stdcopy.h). */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "stdcopy.h"

void stdcopy_header(uint8_t hdr[STDCOPY_HEADER], enum stdcopy_stream s, uint32_t len)
{
	hdr[0] = (uint8_t)s;
	hdr[1] = hdr[2] = hdr[3] = 0;
	hdr[4] = (uint8_t)(len >> 24);
	hdr[5] = (uint8_t)(len >> 16);
	hdr[6] = (uint8_t)(len >> 8);
	hdr[7] = (uint8_t)len;
}

static int writev_full(int fd, struct iovec *iov, int n, struct err *e)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return err_sys(e, errno, "write stream frame");
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int stdcopy_write(int fd, enum stdcopy_stream s, const void *buf, size_t len, struct err *e)
{
	const char *p = buf;

	do {
		uint32_t n = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
		uint8_t hdr[STDCOPY_HEADER];
		struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)p, n}};

		stdcopy_header(hdr, s, n);
		if (writev_full(fd, iov, n ? 2 : 1, e) < 0)
			return -1;
		p += n;
		len -= n;
	} while (len);
	return 0;
}

int stdcopy_demux_feed(struct stdcopy_demux *d, const void *buf, size_t len, stdcopy_out out,
		       void *arg, struct err *e)
{
	const uint8_t *p = buf;

	if (d->failed)
		return err_set(e, "stream: bad frame header earlier in the stream");
	while (len) {
		if (d->have < STDCOPY_HEADER) {
			size_t n = STDCOPY_HEADER - d->have < len ? STDCOPY_HEADER - d->have : len;

			memcpy(d->hdr + d->have, p, n);
			d->have += n;
			p += n;
			len -= n;
			if (d->have < STDCOPY_HEADER)
				break;
			if (d->hdr[0] > STDCOPY_SYSERR) {
				d->failed = 1;
				return err_set(e, "stream: unknown stream %u in a frame header",
					       d->hdr[0]);
			}
			d->left = (uint32_t)d->hdr[4] << 24 | (uint32_t)d->hdr[5] << 16 |
				  (uint32_t)d->hdr[6] << 8 | d->hdr[7];
			if (d->left == 0)
				d->have = 0;
			continue;
		}
		size_t n = d->left < len ? d->left : len;

		if (out(arg, (enum stdcopy_stream)d->hdr[0], p, n) < 0)
			return err_set(e, "stream: the reader of stream %u failed", d->hdr[0]);
		p += n;
		len -= n;
		d->left -= (uint32_t)n;
		if (d->left == 0)
			d->have = 0;
	}
	return 0;
}

int stdcopy_demux_at_boundary(const struct stdcopy_demux *d)
{
	return d->have == 0 && !d->failed;
}
