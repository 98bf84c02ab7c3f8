/* tmpl.c - parsing the Go-template subset (tmpl.h) into a small tree:
 * text, actions (pipelines of commands), range and if blocks. */
#include <stdlib.h>
#include <string.h>

#include "core/client/tmpl-priv.h"

int tmpl_buf_add(struct tmpl_buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *ns;

		while (cap < b->n + n + 1)
			cap *= 2;
		if (!(ns = realloc(b->s, cap)))
			return -1;
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
	return 0;
}

static void free_nodes(struct tmpl_node *n)
{
	while (n) {
		struct tmpl_node *next = n->next;

		for (size_t i = 0; i < n->ncmds; i++) {
			for (size_t j = 0; j < n->cmds[i].nargs; j++)
				free(n->cmds[i].args[j].text);
		}
		free(n->text);
		free_nodes(n->body);
		free_nodes(n->alt);
		free(n);
		n = next;
	}
}

void tmpl_free(struct tmpl *t)
{
	if (t) {
		free_nodes(t->root);
		free(t);
	}
}

/* One token of an action: a field chain, a string, a number, a word, '|'. */
static int lex_arg(const char **p, struct tmpl_arg *a, struct err *e)
{
	const char *s = *p, *start = s;

	if (*s == '"') {
		struct tmpl_buf b = {0};

		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1]) {
				s++;
				tmpl_buf_add(&b, *s == 'n' ? "\n" : *s == 't' ? "\t" : s, 1);
			} else {
				tmpl_buf_add(&b, s, 1);
			}
		}
		if (*s != '"') {
			free(b.s);
			return err_set(e, "template: unterminated quoted string");
		}
		a->kind = TMPL_STR;
		a->text = b.s ? b.s : strdup("");
		*p = s + 1;
		return 0;
	}
	while (*s && !strchr(" \t\n|)", *s) && strncmp(s, "}}", 2) && strncmp(s, "-}}", 3))
		s++;
	if (s == start)
		return err_set(e, "template: unexpected \"%c\" in operand", *s ? *s : ' ');
	a->text = strndup(start, (size_t)(s - start));
	a->kind = *start == '.'                                       ? TMPL_FIELD
		  : (*start >= '0' && *start <= '9') || *start == '-' ? TMPL_NUM
								      : TMPL_WORD;
	*p = s;
	return 0;
}

/* A pipeline: commands separated by '|', up to the end of the action. */
static int parse_pipeline(const char *s, struct tmpl_node *n, struct err *e)
{
	struct tmpl_cmd *cmd = &n->cmds[0];

	n->ncmds = 1;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		if (*s == '|') {
			if (!cmd->nargs || n->ncmds == TMPL_MAX_CMDS)
				return err_set(e, "template: missing command in pipeline");
			cmd = &n->cmds[n->ncmds++];
			s++;
			continue;
		}
		if (cmd->nargs == TMPL_MAX_ARGS)
			return err_set(e, "template: too many arguments");
		if (lex_arg(&s, &cmd->args[cmd->nargs++], e) < 0)
			return -1;
	}
	if (!cmd->nargs)
		return err_set(e, "template: missing value for command");
	return 0;
}

/* Blocks nest: parse_list returns at {{end}} or {{else}} (in *stop). */
static int parse_list(const char **p, struct tmpl_node **head, const char **stop, struct err *e);

static int parse_action(const char **p, const char *body, size_t blen, struct tmpl_node **tail,
			const char **stop, struct err *e)
{
	struct tmpl_node *n = calloc(1, sizeof(*n));
	char *src = strndup(body, blen);
	const char *word = src, *sub = NULL;
	int rc = -1;

	if (!n || !src)
		goto out;
	while (*word == ' ')
		word++;
	if (!strncmp(word, "end", 3) && (!word[3] || word[3] == ' ')) {
		*stop = "end";
		free(n);
		n = NULL;
		rc = 0;
		goto out;
	}
	if (!strncmp(word, "else", 4) && (!word[4] || word[4] == ' ')) {
		*stop = "else";
		free(n);
		n = NULL;
		rc = 0;
		goto out;
	}
	n->kind = TMPL_ACTION;
	if (!strncmp(word, "range ", 6) || !strncmp(word, "if ", 3)) {
		n->kind = word[0] == 'r' ? TMPL_RANGE : TMPL_IF;
		word += word[0] == 'r' ? 6 : 3;
	}
	if (parse_pipeline(word, n, e) < 0)
		goto out;
	*tail = n;
	if (n->kind != TMPL_ACTION) {
		if (parse_list(p, &n->body, &sub, e) < 0)
			goto out_n;
		if (sub && !strcmp(sub, "else") && parse_list(p, &n->alt, &sub, e) < 0)
			goto out_n;
		if (!sub || strcmp(sub, "end")) {
			err_set(e, "template: unexpected EOF");
			goto out_n;
		}
	}
	n = NULL;
	rc = 0;
	goto out;
out_n:
	*tail = NULL;
out:
	free_nodes(n);
	free(src);
	return rc;
}

static struct tmpl_node *text_node(const char *s, size_t n)
{
	struct tmpl_node *t = calloc(1, sizeof(*t));

	if (t) {
		t->kind = TMPL_TEXT;
		t->text = strndup(s, n);
	}
	return t;
}

static int parse_list(const char **p, struct tmpl_node **head, const char **stop, struct err *e)
{
	struct tmpl_node **tail = head;
	const char *s = *p;

	*stop = NULL;
	while (*s) {
		const char *open = strstr(s, "{{"), *close, *b, *be;
		size_t tn = open ? (size_t)(open - s) : strlen(s);

		if (open && open[2] == '-' && open[3] == ' ')
			while (tn && strchr(" \t\r\n", s[tn - 1]))
				tn--;
		if (tn && !(*tail = text_node(s, tn)))
			return err_set(e, "template: out of memory");
		if (*tail)
			tail = &(*tail)->next;
		if (!open)
			break;
		if (!(close = strstr(open + 2, "}}")))
			return err_set(e, "template: unclosed action");
		b = open + 2 + (open[2] == '-' && open[3] == ' ');
		be = close - (close[-1] == '-' && close[-2] == ' ');
		s = close + 2;
		if (close[-1] == '-' && close[-2] == ' ')
			while (*s && strchr(" \t\r\n", *s))
				s++;
		*p = s;
		if (parse_action(p, b, (size_t)(be - b), tail, stop, e) < 0)
			return -1;
		s = *p;
		if (*stop)
			return 0;
		if (*tail)
			tail = &(*tail)->next;
	}
	*p = s + strlen(s);
	return 0;
}

int tmpl_parse(const char *text, struct tmpl **out, struct err *e)
{
	struct tmpl *t = calloc(1, sizeof(*t));
	const char *p = text, *stop = NULL;

	if (!t)
		return err_set(e, "template: out of memory");
	if (parse_list(&p, &t->root, &stop, e) < 0 ||
	    (stop && err_set(e, "template: unexpected {{%s}}", stop) < 0)) {
		tmpl_free(t);
		return -1;
	}
	*out = t;
	return 0;
}

char *tmpl_docker_format(const char *format, int *table)
{
	struct tmpl_buf b = {0};
	size_t n;

	*table = !strncmp(format, "table", 5) && (!format[5] || format[5] == ' ');
	if (*table)
		format += 5;
	while (*format == ' ')
		format++;
	n = strlen(format);
	while (n && format[n - 1] == ' ')
		n--;
	tmpl_buf_add(&b, "", 0);
	for (size_t i = 0; i < n; i++) {
		if (format[i] == '\\' && i + 1 < n &&
		    (format[i + 1] == 't' || format[i + 1] == 'n')) {
			tmpl_buf_add(&b, format[i + 1] == 't' ? "\t" : "\n", 1);
			i++;
		} else {
			tmpl_buf_add(&b, format + i, 1);
		}
	}
	return b.s;
}
