/* json-print.c - serialize a cJSON tree. Ours rather than cJSON_Print:
 * integers are printed exactly (cJSON round-trips every number through
 * sscanf, which alone costs a static binary 4 KiB of scanf), and the pretty
 * form is the one Go's MarshalIndent writes, as runc's and Docker's output. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct jbuf {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct jbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (b->len + n + 2 > cap)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void puts_(struct jbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_string(struct jbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7] = "\\u00";

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':
			puts_(b, "\\\"");
			break;
		case '\\':
			puts_(b, "\\\\");
			break;
		case '\n':
			puts_(b, "\\n");
			break;
		case '\r':
			puts_(b, "\\r");
			break;
		case '\t':
			puts_(b, "\\t");
			break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(b, esc, 6);
		}
	}
	put(b, run, (size_t)(s - run));
	put(b, "\"", 1);
}

static void put_number(struct jbuf *b, double d)
{
	char num[32];

	if (!isfinite(d)) /* JSON has no NaN or infinity: what cJSON writes too */
		snprintf(num, sizeof(num), "null");
	else if (d == (double)(long long)d && fabs(d) < 9007199254740992.0)
		snprintf(num, sizeof(num), "%lld", (long long)d);
	else
		snprintf(num, sizeof(num), "%.17g", d);
	puts_(b, num);
}

static void newline(struct jbuf *b, int pretty, int depth)
{
	if (!pretty)
		return;
	put(b, "\n", 1);
	for (int i = 0; i < depth; i++)
		put(b, "\t", 1);
}

static void put_value(struct jbuf *b, const cJSON *v, int pretty, int depth)
{
	const cJSON *c;

	switch (v->type & 0xff) {
	case cJSON_False:
		puts_(b, "false");
		return;
	case cJSON_True:
		puts_(b, "true");
		return;
	case cJSON_NULL:
		puts_(b, "null");
		return;
	case cJSON_Number:
		put_number(b, v->valuedouble);
		return;
	case cJSON_Raw:
		puts_(b, v->valuestring ? v->valuestring : "null");
		return;
	case cJSON_String:
		put_string(b, v->valuestring ? v->valuestring : "");
		return;
	case cJSON_Array:
	case cJSON_Object:
		break;
	default:
		puts_(b, "null");
		return;
	}
	put(b, cJSON_IsArray(v) ? "[" : "{", 1);
	for (c = v->child; c; c = c->next) {
		newline(b, pretty, depth + 1);
		if (cJSON_IsObject(v)) {
			put_string(b, c->string ? c->string : "");
			puts_(b, pretty ? ": " : ":");
		}
		put_value(b, c, pretty, depth + 1);
		if (c->next)
			put(b, ",", 1);
	}
	if (v->child)
		newline(b, pretty, depth);
	put(b, cJSON_IsArray(v) ? "]" : "}", 1);
}

int json_print(const cJSON *v, bool pretty, char **out, size_t *len, struct err *e)
{
	struct jbuf b = {0};

	put_value(&b, v, pretty, 0);
	put(&b, "", 0);
	if (b.failed || !b.p) {
		free(b.p);
		return err_sys(e, ENOMEM, "serialize JSON");
	}
	b.p[b.len] = '\0';
	*out = b.p;
	*len = b.len;
	return 0;
}
