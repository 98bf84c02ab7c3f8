/* store-layer.c - unpacked layers under layers/<chain hex>/: filled in
 * tmp/, described by layer.json, flushed whole and renamed in at commit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "json.h"
#include "oci/rmtree.h"
#include "oci/store-priv.h"

void oci_chain_id(const char *parent_chain, const char *diff_id, char out[DIGEST_STR_MAX])
{
	struct digest_ctx d;

	if (!parent_chain || !*parent_chain) {
		snprintf(out, DIGEST_STR_MAX, "%s", diff_id);
		return;
	}
	digest_init(&d);
	digest_update(&d, parent_chain, strlen(parent_chain));
	digest_update(&d, " ", 1);
	digest_update(&d, diff_id, strlen(diff_id));
	digest_final(&d, out);
}

bool oci_store_layer_has(struct oci_store *s, const char *chain_id)
{
	char rel[DIGEST_STR_MAX + 32];
	struct stat st;

	if (!digest_valid(chain_id))
		return false;
	snprintf(rel, sizeof(rel), "layers/%s/layer.json", digest_hex(chain_id));
	return fstatat(s->root_fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int oci_store_layer_path(struct oci_store *s, const char *chain_id, char *out, size_t outsz,
			 struct err *e)
{
	if (digest_check(chain_id, "layer", e) < 0)
		return -1;
	if (!oci_store_layer_has(s, chain_id))
		return err_sys(e, ENOENT, "layer %s: not in the store", chain_id);
	if ((size_t)snprintf(out, outsz, "%s/layers/%s/diff", s->root, digest_hex(chain_id)) >=
	    outsz)
		return err_sys(e, ENAMETOOLONG, "layer %s: path", chain_id);
	return 0;
}

static int copy_digest(const cJSON *o, const char *key, bool may_be_empty, char out[DIGEST_STR_MAX],
		       struct err *e)
{
	const char *v = NULL;

	if (json_get_string(o, "", key, JSON_REQUIRED, &v, e) < 0)
		return -1;
	if (!(may_be_empty && !*v) && digest_check(v, key, e) < 0)
		return -1;
	snprintf(out, DIGEST_STR_MAX, "%s", v);
	return 0;
}

static int layer_parse(const char *text, size_t len, struct oci_layer_info *li, struct err *e)
{
	cJSON *o;
	int r = -1;

	memset(li, 0, sizeof(*li));
	if (json_parse(text, len, &o, e) < 0)
		return -1;
	if (json_as_object(o, "", e) == 0 && copy_digest(o, "chainID", false, li->chain, e) == 0 &&
	    copy_digest(o, "diffID", false, li->diff, e) == 0 &&
	    copy_digest(o, "parent", true, li->parent, e) == 0 &&
	    copy_digest(o, "treeDigest", false, li->tree, e) == 0 &&
	    json_get_int64(o, "", "size", JSON_REQUIRED, &li->size, e) > 0)
		r = 0;
	cJSON_Delete(o);
	return r;
}

int oci_store_layer_info(struct oci_store *s, const char *chain_id, struct oci_layer_info *li,
			 struct err *e)
{
	char rel[DIGEST_STR_MAX + 32], *text;
	size_t len;
	int r;

	if (digest_check(chain_id, "layer", e) < 0)
		return -1;
	snprintf(rel, sizeof(rel), "layers/%s/layer.json", digest_hex(chain_id));
	if (store_read(s, rel, STORE_JSON_MAX, &text, &len, e) < 0)
		return err_wrap(e, "layer %s", chain_id);
	r = layer_parse(text, len, li, e);
	free(text);
	if (r < 0)
		return err_wrap(e, "layer %s: layer.json", chain_id);
	if (strcmp(li->chain, chain_id) != 0)
		return err_set(e, "layer %s: layer.json names chain %s", chain_id, li->chain);
	return 0;
}

int oci_layer_tx_begin(struct oci_store *s, struct oci_layer_tx *tx, struct err *e)
{
	int tmp, lfd = -1;

	memset(tx, 0, sizeof(*tx));
	tx->s = s;
	tx->diff_fd = -1;
	if (store_writable(s, "unpack layer", e) < 0 || (tmp = store_dir(s, "tmp", e)) < 0)
		return -1;
	store_tmp_name(tx->tmpname, sizeof(tx->tmpname), "layer");
	if (mkdirat(tmp, tx->tmpname, 0700) < 0) {
		err_sys(e, errno, "store %s: mkdir tmp/%s", s->root, tx->tmpname);
		tx->tmpname[0] = '\0';
		close(tmp);
		return -1;
	}
	lfd = openat(tmp, tx->tmpname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	close(tmp);
	if (lfd < 0 || mkdirat(lfd, "diff", 0755) < 0 ||
	    (tx->diff_fd = openat(lfd, "diff", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) <
		    0) {
		err_sys(e, errno, "store %s: tmp/%s/diff", s->root, tx->tmpname);
		if (lfd >= 0)
			close(lfd);
		oci_layer_tx_abort(tx);
		return -1;
	}
	close(lfd);
	return 0;
}

static int check_ids(const char *chain_id, const char *diff_id, const char *parent, struct err *e)
{
	char want[DIGEST_STR_MAX];

	if (digest_check(chain_id, "layer chain id", e) < 0 ||
	    digest_check(diff_id, "layer diff id", e) < 0 ||
	    (parent && *parent && digest_check(parent, "parent layer", e) < 0))
		return -1;
	oci_chain_id(parent, diff_id, want);
	if (strcmp(want, chain_id) != 0)
		return err_set(e, "layer %s: not the chain id of diff %s on parent %s (want %s)",
			       chain_id, diff_id, parent && *parent ? parent : "(none)", want);
	return 0;
}

/* layer.json into tmp/<name>/, durable (file_write_atomic fsyncs). */
static int write_meta(struct oci_layer_tx *tx, const struct oci_layer_info *li, struct err *e)
{
	cJSON *o = cJSON_CreateObject();
	char rel[128], *text = NULL;
	size_t len;
	int tmp = -1, r = -1;

	if (!o || !cJSON_AddStringToObject(o, "chainID", li->chain) ||
	    !cJSON_AddStringToObject(o, "diffID", li->diff) ||
	    !cJSON_AddStringToObject(o, "parent", li->parent) ||
	    !json_add_u64(o, "size", (uint64_t)li->size) ||
	    !cJSON_AddStringToObject(o, "treeDigest", li->tree)) {
		err_sys(e, ENOMEM, "layer %s: layer.json", li->chain);
		goto out;
	}
	if (json_print(o, false, &text, &len, e) < 0 || (tmp = store_dir(tx->s, "tmp", e)) < 0)
		goto out;
	snprintf(rel, sizeof(rel), "%s/layer.json", tx->tmpname);
	r = file_write_atomic(tmp, rel, text, len, 0600, e);
out:
	if (tmp >= 0)
		close(tmp);
	cJSON_free(text);
	cJSON_Delete(o);
	return r;
}

/* tmp/<name> -> layers/<hex>, unless a layer is there already. */
static int install(struct oci_layer_tx *tx, const char *chain_id, struct err *e)
{
	struct oci_store *s = tx->s;
	int tmp = store_dir(s, "tmp", e), layers = tmp < 0 ? -1 : store_dir(s, "layers", e);
	int r = -1;

	if (layers < 0)
		goto out;
	if (store_rename_noreplace(tmp, tx->tmpname, layers, digest_hex(chain_id)) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			r = 0; /* another pull won: oci_layer_tx_abort discards ours */
		else
			err_sys(e, errno, "layer %s: rename into layers/", chain_id);
		goto out;
	}
	tx->tmpname[0] = '\0';
	r = fsync(layers);
	if (r < 0)
		err_sys(e, errno, "layer %s: fsync layers/", chain_id);
out:
	if (layers >= 0)
		close(layers);
	if (tmp >= 0)
		close(tmp);
	return r;
}

int oci_layer_tx_commit(struct oci_layer_tx *tx, const char *chain_id, const char *diff_id,
			const char *parent_chain, struct err *e)
{
	struct oci_layer_info li = {0};
	int r = -1;

	if (tx->diff_fd < 0)
		return err_sys(e, EBADF, "layer %s: no layer being unpacked", chain_id);
	if (check_ids(chain_id, diff_id, parent_chain, e) < 0)
		goto out;
	snprintf(li.chain, sizeof(li.chain), "%s", chain_id);
	snprintf(li.diff, sizeof(li.diff), "%s", diff_id);
	snprintf(li.parent, sizeof(li.parent), "%s", parent_chain ? parent_chain : "");
	if (oci_store_layer_has(tx->s, chain_id)) {
		r = oci_store_layer_info(tx->s, chain_id, &li, e);
		tx->size = li.size;
		goto out;
	}
	if (oci_store_tree_digest(tx->diff_fd, li.tree, &li.size, e) < 0 ||
	    write_meta(tx, &li, e) < 0) {
		err_wrap(e, "layer %s", chain_id);
		goto out;
	}
	/* Everything the unpacker wrote, before the rename publishes it. */
	if (syncfs(tx->diff_fd) < 0) {
		err_sys(e, errno, "layer %s: syncfs", chain_id);
		goto out;
	}
	tx->size = li.size;
	r = install(tx, chain_id, e);
out:
	oci_layer_tx_abort(tx);
	return r;
}

void oci_layer_tx_abort(struct oci_layer_tx *tx)
{
	int saved = errno, tmp;

	if (tx->diff_fd >= 0)
		close(tx->diff_fd);
	tx->diff_fd = -1;
	if (tx->tmpname[0] && (tmp = store_dir(tx->s, "tmp", NULL)) >= 0) {
		oci_rm_tree(tmp, tx->tmpname, NULL);
		close(tmp);
	}
	tx->tmpname[0] = '\0';
	errno = saved;
}
