/* image-rmi.c - docker rmi's rules (moby's ImageDelete: a name is untagged,
 * the image goes with its last name; an id removes the image; containers
 * and other names are conflicts unless forced) and image prune, on the
 * store, for the client and the daemon alike. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/image-info.h"
#include "registry/ref.h"

#define RMI_NAMES 96

/* The image's references: names in refs.json, then the record's
 * repository digests (which live in the record, not in refs.json). */
struct rmi {
	struct oci_store *s;
	const struct oci_rmi_ops *o;
	char id[DIGEST_STR_MAX];
	struct oci_image_rec rec;
	bool rec_changed, removed;
	size_t n;
	struct rmi_name {
		char name[512];
		bool canonical, in_rec;
	} v[RMI_NAMES];
};

static void report(struct rmi *r, const char *kind, const char *value)
{
	if (r->o && r->o->report)
		r->o->report(kind, value, r->id, r->o->arg);
}

static int users(struct rmi *r, bool *running, char first[65])
{
	*running = false;
	first[0] = '\0';
	return r->o && r->o->users ? r->o->users(r->id, running, first, r->o->arg) : 0;
}

static int conflict(struct err *e, const char *fmt, const char *a, const char *b, const char *c)
{
	err_set(e, fmt, a, b, c);
	if (e)
		e->errnum = EBUSY;
	return -1;
}

static void repo_of(const char *name, char *buf, size_t size)
{
	struct reg_ref ref;
	struct err e;

	if (reg_ref_parse(&ref, name, &e) < 0)
		snprintf(buf, size, "%s", name);
	else
		reg_ref_name(&ref, buf, size);
}

static int load(struct rmi *r, struct err *e)
{
	struct oci_image_refs refs;

	if (oci_store_image_get(r->s, r->id, &r->rec, e) < 0 ||
	    oci_image_refs_load(r->s, &refs, e) < 0)
		return -1;
	r->n = 0;
	for (size_t i = 0; i < refs.n && r->n < RMI_NAMES; i++)
		if (!strcmp(refs.v[i].id, r->id)) {
			snprintf(r->v[r->n].name, sizeof(r->v[0].name), "%s", refs.v[i].name);
			r->v[r->n].canonical = strchr(refs.v[i].name, '@') != NULL;
			r->v[r->n++].in_rec = false;
		}
	oci_image_refs_free(&refs);
	for (size_t i = 0; i < r->rec.nrepo_digests && r->n < RMI_NAMES; i++) {
		snprintf(r->v[r->n].name, sizeof(r->v[0].name), "%s", r->rec.repo_digests[i]);
		r->v[r->n].canonical = true;
		r->v[r->n++].in_rec = true;
	}
	return 0;
}

/* moby's isSingleReference: at most one tag, and every name in one repository. */
static bool single_reference(const struct rmi *r)
{
	char repo[512], other[512];
	const char *single = NULL;

	if (r->n <= 1)
		return r->n == 1;
	for (size_t i = 0; i < r->n; i++)
		if (!r->v[i].canonical) {
			if (single)
				return false;
			single = r->v[i].name;
		}
	repo_of(single ? single : r->v[0].name, repo, sizeof(repo));
	for (size_t i = 0; i < r->n; i++) {
		repo_of(r->v[i].name, other, sizeof(other));
		if (strcmp(repo, other))
			return false;
	}
	return true;
}

/* Drop name i: from refs.json or from the record; say so. */
static int untag(struct rmi *r, size_t i, struct err *e)
{
	char fam[REG_REF_STR_MAX];

	if (!r->v[i].in_rec) {
		if (oci_store_ref_delete(r->s, r->v[i].name, e) < 0)
			return -1;
	} else {
		for (size_t k = 0; k < r->rec.nrepo_digests; k++)
			if (!strcmp(r->rec.repo_digests[k], r->v[i].name)) {
				memmove(r->rec.repo_digests[k], r->rec.repo_digests[k + 1],
					(r->rec.nrepo_digests - k - 1) *
						sizeof(r->rec.repo_digests[0]));
				r->rec.nrepo_digests--;
				r->rec_changed = true;
				break;
			}
	}
	report(r, "Untagged", oci_image_familiar(r->v[i].name, fam, sizeof(fam)));
	memmove(&r->v[i], &r->v[i + 1], (r->n - i - 1) * sizeof(r->v[0]));
	r->n--;
	return 0;
}

static int untag_all(struct rmi *r, struct err *e)
{
	while (r->n)
		if (untag(r, 0, e) < 0)
			return -1;
	return 0;
}

/* The record, its names, then what only it used; each freed layer said. */
static int remove_image(struct rmi *r, uint64_t *freed, struct err *e)
{
	if (untag_all(r, e) < 0 || oci_store_image_remove(r->s, r->id, freed, e) < 0)
		return -1;
	r->removed = true;
	report(r, "Deleted", r->id);
	for (size_t i = r->rec.nlayers; i-- > 0;) {
		bool dup = false;

		for (size_t k = i + 1; k < r->rec.nlayers; k++)
			dup |= !strcmp(r->rec.chain[k], r->rec.chain[i]);
		if (!dup && !oci_store_layer_has(r->s, r->rec.chain[i]))
			report(r, "Deleted", r->rec.chain[i]);
	}
	return 0;
}

/* moby's imageDeleteHelper: the conflicts, then the removal. quiet: a
 * name was untagged before; a conflict then keeps the image silently
 * unless it is dangling and unused. */
static int delete_helper(struct rmi *r, bool force, bool quiet, struct err *e)
{
	char first[65], hex[13];
	bool running, used = true, dangling = true;
	int n = users(r, &running, first);
	const char *msg = NULL, *how = "must be forced";

	snprintf(hex, sizeof(hex), "%s", digest_hex(r->id));
	if (running) {
		msg = "image is being used by running container %.12s";
		how = "cannot be forced";
	} else if (!force && r->n > 0) {
		msg = "image is referenced in multiple repositories";
		used = false;
	} else if (!force && n > 0) {
		msg = "image is being used by stopped container %.12s";
	}
	for (size_t i = 0; i < r->n; i++)
		dangling &= r->v[i].canonical;
	if (msg) {
		char text[160];

		if (quiet && (!dangling || used))
			return 0;
		snprintf(text, sizeof(text), msg, first);
		return conflict(e, "conflict: unable to delete %s (%s) - %s", hex, how, text);
	}
	return remove_image(r, NULL, e);
}

/* A name was given: it goes; the image only with its last name. */
static int delete_name(struct rmi *r, const char *what, const char *name, bool force, struct err *e)
{
	char first[65], repo[512], other[512];
	bool running, canonical = strchr(name, '@') != NULL, tag_left = false;
	size_t i;

	if (!force && single_reference(r) && users(r, &running, first) > 0)
		return conflict(
			e,
			"conflict: unable to remove repository reference \"%s\" (must force) "
			"- container %.12s is using its referenced image %.12s",
			what, first, digest_hex(r->id));
	for (i = 0; i < r->n && strcmp(r->v[i].name, name); i++)
		;
	if (i < r->n && untag(r, i, e) < 0)
		return -1;
	/* the last tag of a repository takes its digests along */
	repo_of(name, repo, sizeof(repo));
	for (i = 0; i < r->n && !canonical; i++) {
		repo_of(r->v[i].name, other, sizeof(other));
		tag_left |= !r->v[i].canonical && !strcmp(repo, other);
	}
	for (i = 0; i < r->n && !canonical && !tag_left;) {
		repo_of(r->v[i].name, other, sizeof(other));
		if (r->v[i].canonical && !strcmp(repo, other)) {
			if (untag(r, i, e) < 0)
				return -1;
		} else {
			i++;
		}
	}
	if (r->n > 0)
		return 0;
	return delete_helper(r, force, true, e);
}

/* An id was given: with a single reference, that name goes first (unless
 * a container stands in the way); then the image. */
static int delete_id(struct rmi *r, bool force, struct err *e)
{
	char first[65], text[160];
	bool running;
	int n;

	if (single_reference(r)) {
		n = users(r, &running, first);
		if (n > 0 && (running || !force)) {
			snprintf(text, sizeof(text), "image is being used by %s container %.12s",
				 running ? "running" : "stopped", first);
			return conflict(e, "conflict: unable to delete %.12s (%s) - %s",
					digest_hex(r->id),
					running ? "cannot be forced" : "must be forced", text);
		}
		if (untag_all(r, e) < 0)
			return -1;
	}
	return delete_helper(r, force, false, e);
}

int oci_image_delete(struct oci_store *s, const char *what, bool force, const struct oci_rmi_ops *o,
		     struct err *e)
{
	struct rmi *r = calloc(1, sizeof(*r));
	char name[512];
	int rc = -1;

	if (!r)
		return err_sys(e, ENOMEM, "remove image %s", what);
	r->s = s;
	r->o = o;
	oci_store_lock(s); /* one rmi at a time against pulls and tags */
	if (oci_image_find(s, what, r->id, name, sizeof(name), e) < 0 || load(r, e) < 0)
		goto out;
	rc = name[0] ? delete_name(r, what, name, force, e) : delete_id(r, force, e);
	/* the image stays but lost repository digests: its record says so */
	if (rc == 0 && r->rec_changed && !r->removed)
		rc = oci_store_image_put(s, &r->rec, e);
out:
	oci_store_unlock(s);
	free(r);
	return rc;
}

struct prune {
	struct oci_image_refs refs;
	bool all;
	bool (*keep)(const struct oci_image_rec *rec, void *arg);
	void *arg;
	size_t n;
	char (*ids)[DIGEST_STR_MAX];
};

/* Collect first: the store is not changed while it is walked. */
static int prune_pick(const struct oci_image_rec *rec, void *arg)
{
	struct prune *p = arg;
	void *grown;

	if ((!p->all && oci_image_tag_count(&p->refs, rec->id) > 0) ||
	    (p->keep && p->keep(rec, p->arg)))
		return 0;
	if (!(grown = realloc(p->ids, (p->n + 1) * sizeof(*p->ids))))
		return 1;
	p->ids = grown;
	strcpy(p->ids[p->n++], rec->id);
	return 0;
}

int oci_image_prune(struct oci_store *s, bool all,
		    bool (*keep)(const struct oci_image_rec *rec, void *arg),
		    const struct oci_rmi_ops *o, uint64_t *freed, struct err *e)
{
	struct prune p = {.all = all, .keep = keep, .arg = o ? o->arg : NULL};
	struct rmi *r = calloc(1, sizeof(*r));
	uint64_t more = 0;
	int rc = -1;

	*freed = 0;
	if (!r)
		return err_sys(e, ENOMEM, "prune images");
	oci_store_lock(s);
	if (oci_image_refs_load(s, &p.refs, e) < 0)
		goto out;
	if (oci_store_image_each(s, prune_pick, &p, e) < 0)
		goto out;
	for (size_t i = 0; i < p.n; i++) {
		memset(r, 0, sizeof(*r));
		r->s = s;
		r->o = o;
		strcpy(r->id, p.ids[i]);
		if (load(r, e) < 0 || remove_image(r, freed, e) < 0)
			goto out;
	}
	if (oci_store_gc(s, &more, e) < 0)
		goto out;
	*freed += more;
	rc = 0;
out:
	oci_store_unlock(s);
	oci_image_refs_free(&p.refs);
	free(p.ids);
	free(r);
	return rc;
}
