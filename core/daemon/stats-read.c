/* stats-read.c - what a stats sample reads besides the cgroup: the host's
 * CPU time and memory (/proc/stat, /proc/meminfo) and the container's
 * network devices (/proc/<init>/net/dev, its network namespace's view). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/daemon/stats.h"
#include "file.h"
#include "oci/container.h"

int dstats_parse_proc_stat(const char *text, long hz, uint64_t *system_ns, unsigned *ncpu)
{
	const char *p = text;
	bool found = false;

	*system_ns = 0;
	*ncpu = 0;
	if (hz <= 0)
		hz = 100;
	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "cpu", 3) != 0)
			continue;
		if (p[3] >= '0' && p[3] <= '9') {
			(*ncpu)++;
			continue;
		}
		if (p[3] != ' ' || found)
			continue;
		/* user nice system idle iowait irq softirq, as dockerd adds them */
		const char *q = p + 3;
		uint64_t ticks = 0;
		for (int i = 0; i < 7; i++) {
			char *end;
			ticks += strtoull(q, &end, 10);
			if (end == q)
				break;
			q = end;
		}
		*system_ns = ticks * (1000000000ull / (uint64_t)hz);
		found = true;
	}
	return found ? 0 : -1;
}

/* "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16": receive bytes, packets,
 * errs, drop, fifo, frame, compressed, multicast, then transmit bytes,
 * packets, errs, drop, ... */
static void net_line(const char *line, struct dstats_sample *s)
{
	const char *colon = strchr(line, ':'), *name = line + strspn(line, " ");
	uint64_t v[16] = {0};
	size_t nl;
	const char *q;
	struct dstats_net *d;

	if (!colon || colon <= name || s->nnet == DSTATS_MAX_NET)
		return;
	nl = (size_t)(colon - name);
	if (nl >= sizeof(d->name) || (nl == 2 && strncmp(name, "lo", 2) == 0))
		return;
	q = colon + 1;
	for (int i = 0; i < 16; i++) {
		char *end;
		v[i] = strtoull(q, &end, 10);
		if (end == q)
			return;
		q = end;
	}
	d = &s->net[s->nnet++];
	memcpy(d->name, name, nl);
	d->name[nl] = '\0';
	d->rx_bytes = v[0], d->rx_packets = v[1], d->rx_errors = v[2], d->rx_dropped = v[3];
	d->tx_bytes = v[8], d->tx_packets = v[9], d->tx_errors = v[10], d->tx_dropped = v[11];
}

void dstats_parse_net_dev(const char *text, struct dstats_sample *s)
{
	const char *p = text;

	s->nnet = 0;
	for (int n = 0; p && *p; n++) {
		char line[512];
		size_t len = strcspn(p, "\n");

		/* two lines of titles first */
		if (n >= 2 && len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			net_line(line, s);
		}
		p += len;
		if (*p)
			p++;
	}
}

uint64_t dstats_parse_meminfo(const char *text)
{
	const char *p = strstr(text, "MemTotal:");

	if (p != text && p && p[-1] != '\n')
		return 0;
	return p ? strtoull(p + 9, NULL, 10) * 1024 : 0;
}

static int read_text(const char *path, char **text)
{
	size_t len;

	return file_read_all(path, 1 << 20, text, &len, NULL);
}

int dstats_take(const char *runtime_root, const char *id, pid_t pid, struct dstats_sample *s,
		struct err *e)
{
	char *text = NULL, path[64];
	struct timespec ts;

	memset(s, 0, sizeof(*s));
	if (oci_container_stats(runtime_root, id, &s->cg, e) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	s->read_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (read_text("/proc/stat", &text) == 0)
		dstats_parse_proc_stat(text, sysconf(_SC_CLK_TCK), &s->system_ns, &s->online_cpus);
	free(text);
	text = NULL;
	if (read_text("/proc/meminfo", &text) == 0)
		s->mem_total = dstats_parse_meminfo(text);
	free(text);
	text = NULL;
	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	if (pid > 0 && read_text(path, &text) == 0)
		dstats_parse_net_dev(text, s);
	free(text);
	return 0;
}
