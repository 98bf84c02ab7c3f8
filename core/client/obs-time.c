/* obs-time.c - the docker CLI's times for events: --since/--until values
 * (durations, dates, unix timestamps) converted client-side as it does,
 * and its event lines with local RFC3339NanoFixed times. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/client/obs.h"

static const struct {
	const char *name;
	int64_t ns;
} dur_units[] = {
	{"ns", 1},           {"us", 1000},        {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
	{"\xce\xbcs", 1000}, /* U+03BC Greek mu */
	{"ms", 1000000},     {"s", 1000000000LL}, {"m", 60000000000LL}, {"h", 3600000000000LL},
};

/* One "1.5h" piece of a duration: *s moves past it. */
static int dur_piece(const char **s, double *ns)
{
	const char *p = *s, *u;
	double v = 0, scale = 1;
	int digits = 0;

	for (; isdigit((unsigned char)*p); p++, digits++)
		v = v * 10 + (*p - '0');
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++, digits++)
			v += (*p - '0') / (scale *= 10);
	if (!digits)
		return -1;
	for (u = p; *p && *p != '.' && !isdigit((unsigned char)*p); p++)
		;
	for (size_t i = 0; i < sizeof(dur_units) / sizeof(dur_units[0]); i++)
		if ((size_t)(p - u) == strlen(dur_units[i].name) &&
		    !memcmp(u, dur_units[i].name, (size_t)(p - u))) {
			*ns += v * (double)dur_units[i].ns;
			*s = p;
			return 0;
		}
	return -1; /* no unit, or an unknown one */
}

int obs_parse_duration(const char *s, int64_t *ns)
{
	bool neg = false;
	double total = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*ns = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s)
		if (dur_piece(&s, &total) < 0)
			return -1;
	if (total > 9.2e18)
		return -1;
	*ns = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

static long long days_from_civil(int y, int m, int d)
{
	long long era;
	unsigned yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	return era * 146097 + (long long)(yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719468;
}

/* n digits at *p into *v. */
static int digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

struct layout {
	int fields; /* 3 date, 4 hour, 5 minutes, 6 seconds */
	bool frac, zone;
};

/* value in layout: the seconds since the epoch and nanoseconds; local is
 * the offset used when the layout has no zone. */
static int parse_in(const char *p, const struct layout *l, long local, int64_t *sec, long *nsec)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int f[6] = {0}, zh = 0, zm = 0;
	long off = local;

	*nsec = 0;
	if (digits(&p, 4, &f[0]) || *p++ != '-' || digits(&p, 2, &f[1]) || *p++ != '-' ||
	    digits(&p, 2, &f[2]))
		return -1;
	for (int i = 3; i < l->fields; i++)
		if (*p++ != (i == 3 ? 'T' : ':') || digits(&p, 2, &f[i]))
			return -1;
	if (l->frac && *p == '.' && isdigit((unsigned char)p[1])) {
		long scale = 100000000;

		for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
			*nsec += (*p - '0') * scale;
	} else if (l->frac) {
		return -1;
	}
	if (l->zone && *p == 'Z') {
		off = 0;
		p++;
	} else if (l->zone) {
		int sign = *p == '-' ? -1 : 1;

		if ((*p != '+' && *p != '-') || (p++, digits(&p, 2, &zh)) || *p++ != ':' ||
		    digits(&p, 2, &zm))
			return -1;
		off = sign * (zh * 3600L + zm * 60L);
	}
	if (*p || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > mdays[f[1] - 1] ||
	    (f[1] == 2 && f[2] == 29 && (f[0] % 4 || (f[0] % 100 == 0 && f[0] % 400))) ||
	    f[3] > 23 || f[4] > 59 || f[5] > 59 || zh > 23 || zm > 59)
		return -1;
	*sec = days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5] - off;
	return 0;
}

/* The layout the docker CLI picks for value (GetTimestamp's rules). */
static void pick_layout(const char *v, bool in_loc, struct layout *l)
{
	int colons = 0;

	for (const char *p = v; *p; p++)
		colons += *p == ':';
	l->zone = !in_loc;
	l->frac = strchr(v, '.') != NULL;
	l->fields = 3;
	if (l->frac) {
		l->fields = 6;
	} else if (strchr(v, 'T')) {
		/* a +hh:mm zone has a colon of its own */
		if (!in_loc && !strpbrk(v, "zZ") && colons > 0)
			colons--;
		l->fields = colons == 0 ? 4 : colons == 1 ? 5 : 6;
	}
}

/* "123" or "123.456": docker passes unix timestamps on as they are. */
static bool unix_stamp(const char *v)
{
	const char *p = v + (*v == '+' || *v == '-');
	const char *dot = strchr(p, '.');
	size_t n = dot ? (size_t)(dot - p) : strlen(p);

	if (!n || strspn(p, "0123456789") != n)
		return false;
	if (!dot)
		return true;
	p = dot + 1 + (dot[1] == '+' || dot[1] == '-');
	return *p && strspn(p, "0123456789") == strlen(p);
}

int obs_timestamp(const char *v, const struct timespec *now, char *out, size_t size, struct err *e)
{
	int64_t d, sec;
	long nsec;
	int dashes = 0;
	bool in_loc;
	struct layout l;
	struct tm tm;
	time_t t = now->tv_sec;

	if (strcmp(v, "0") && obs_parse_duration(v, &d) == 0) {
		int64_t ns = (int64_t)now->tv_sec * 1000000000 + now->tv_nsec - d;

		/* Go's Unix(): seconds rounded down */
		snprintf(
			out, size, "%lld",
			(long long)(ns >= 0 ? ns / 1000000000 : -((-ns + 999999999) / 1000000000)));
		return 0;
	}
	for (const char *p = v; *p; p++)
		dashes += *p == '-';
	in_loc = !strpbrk(v, "zZ+") && dashes != 3;
	pick_layout(v, in_loc, &l);
	localtime_r(&t, &tm);
	if (parse_in(v, &l, tm.tm_gmtoff, &sec, &nsec) == 0) {
		snprintf(out, size, "%lld.%09ld", (long long)sec, nsec);
		return 0;
	}
	/* with a dash it was meant as a date */
	if (strchr(v, '-'))
		return err_set(
			e, "parsing time \"%s\": not a date in the form 2006-01-02T15:04:05Z07:00",
			v);
	if (!unix_stamp(v))
		return err_set(e, "failed to parse value as time or duration: \"%s\"", v);
	snprintf(out, size, "%s", v);
	return 0;
}

char *obs_time_nano(int64_t sec, long nsec, char *buf, size_t size)
{
	time_t t = (time_t)sec;
	struct tm tm;
	long off;
	int n;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff;
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ld", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
	if (n > 0 && (size_t)n < size) {
		if (!off)
			snprintf(buf + n, size - (size_t)n, "Z");
		else
			snprintf(buf + n, size - (size_t)n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
				 labs(off) / 3600, labs(off) % 3600 / 60);
	}
	return buf;
}

static int by_key(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static void add(struct tmpl_buf *b, const char *s)
{
	tmpl_buf_add(b, s, strlen(s));
}

/* The attributes, sorted by key: " (k=v, k2=v2)". */
static int attrs(const cJSON *at, struct tmpl_buf *out)
{
	int n = cJSON_GetArraySize(at), i = 0;
	const cJSON **v, *it;

	if (n <= 0)
		return 0;
	if (!(v = malloc(sizeof(*v) * (size_t)n)))
		return -1;
	cJSON_ArrayForEach(it, at) v[i++] = it;
	qsort(v, (size_t)n, sizeof(*v), by_key);
	add(out, " (");
	for (i = 0; i < n; i++) {
		add(out, i ? ", " : "");
		add(out, v[i]->string);
		add(out, "=");
		add(out, cJSON_IsString(v[i]) ? v[i]->valuestring : "");
	}
	add(out, ")");
	free(v);
	return 0;
}

int obs_event_line(const cJSON *ev, int64_t time_nano, struct tmpl_buf *out)
{
	const cJSON *actor = cJSON_GetObjectItemCaseSensitive(ev, "Actor");
	const cJSON *tsec = cJSON_GetObjectItemCaseSensitive(ev, "time");
	char t[64];

	if (time_nano)
		add(out, obs_time_nano(time_nano / 1000000000, (long)(time_nano % 1000000000), t,
				       sizeof(t)));
	else if (cJSON_IsNumber(tsec) && tsec->valuedouble != 0)
		add(out, obs_time_nano((int64_t)tsec->valuedouble, 0, t, sizeof(t)));
	if (time_nano || (cJSON_IsNumber(tsec) && tsec->valuedouble != 0))
		add(out, " ");
	add(out, str(ev, "Type"));
	add(out, " ");
	add(out, str(ev, "Action"));
	add(out, " ");
	add(out, str(actor, "ID"));
	if (attrs(cJSON_GetObjectItemCaseSensitive(actor, "Attributes"), out) < 0)
		return -1;
	return tmpl_buf_add(out, "\n", 1);
}

int64_t obs_time_nano_of(const char *raw)
{
	const char *p = NULL, *q = raw;

	/* cJSON keeps numbers as doubles, which cannot hold nanoseconds since
	 * 1970: read the digits. timeNano is the last field, and a label of
	 * that name would come earlier. */
	while ((q = strstr(q, "\"timeNano\"")))
		p = q++;
	if (!p)
		return 0;
	p += strlen("\"timeNano\"");
	p += strspn(p, " \t");
	if (*p++ != ':')
		return 0;
	return strtoll(p, NULL, 10);
}

void obs_event_sort(cJSON *ev)
{
	cJSON *at = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(ev, "Actor"),
						     "Attributes");
	int n = cJSON_GetArraySize(at);
	cJSON **v;

	if (n < 2 || !(v = malloc(sizeof(*v) * (size_t)n)))
		return;
	for (int i = 0; i < n; i++)
		v[i] = cJSON_DetachItemViaPointer(at, at->child);
	qsort(v, (size_t)n, sizeof(*v), by_key);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(at, v[i]); /* keeps each item's key */
	free(v);
}
