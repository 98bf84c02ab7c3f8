/* test_manifest.c - registry/manifest.c: Docker schema 2 and OCI manifests,
 * indexes and image configs from inline samples; what must be refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/manifest.h"
#include "tap.h"

#define DA "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DB "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DC "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define DD "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

static const char docker_v2[] =
	"{\n"
	"   \"schemaVersion\": 2,\n"
	"   \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n"
	"   \"config\": {\n"
	"      \"mediaType\": \"application/vnd.docker.container.image.v1+json\",\n"
	"      \"size\": 1469,\n"
	"      \"digest\": \"" DA "\"\n"
	"   },\n"
	"   \"layers\": [\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\",\n"
	"         \"size\": 2479,\n"
	"         \"digest\": \"" DB "\"\n"
	"      },\n"
	"      {\n"
	"         \"mediaType\": \"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\n"
	"         \"size\": 1024,\n"
	"         \"digest\": \"" DC "\",\n"
	"         \"urls\": [\"https://example.com/layer\"]\n"
	"      }\n"
	"   ]\n"
	"}";

/* OCI without a mediaType field: allowed, the kind comes from elsewhere. */
static const char oci_bare[] =
	"{\"schemaVersion\":2,"
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
	"\"digest\":\"" DA "\",\"size\":7023},"
	"\"layers\":["
	"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" DB
	"\",\"size\":32654},"
	"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" DC
	"\",\"size\":16724},"
	"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" DD
	"\",\"size\":0},"
	"{\"mediaType\":\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\","
	"\"digest\":\"" DD "\",\"size\":73109}],"
	"\"annotations\":{\"com.example.key1\":\"value1\"}}";

static const char docker_list[] =
	"{\"schemaVersion\":2,"
	"\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\","
	"\"manifests\":["
	"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"size\":528,"
	"\"digest\":\"" DA "\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
	"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"size\":528,"
	"\"digest\":\"" DB "\",\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\","
	"\"variant\":\"v7\"}},"
	"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"size\":528,"
	"\"digest\":\"" DC "\",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\","
	"\"variant\":\"v8\"}}]}";

/* buildx: each image with its attestation manifest (unknown/unknown). */
static const char oci_index[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	"\"manifests\":["
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DA "\","
	"\"size\":1000,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DB "\","
	"\"size\":566,\"annotations\":{\"vnd.docker.reference.digest\":\"" DA "\","
	"\"vnd.docker.reference.type\":\"attestation-manifest\"},"
	"\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}},"
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DC "\","
	"\"size\":1000,\"platform\":{\"architecture\":\"windows-x\",\"os\":\"windows\","
	"\"os.version\":\"10.0.17763.1234\",\"os.features\":[\"win32k\",\"x\"]}},"
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" DD "\","
	"\"size\":1000}]}";

static const char config_json[] =
	"{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\","
	"\"created\":\"2024-01-02T03:04:05.123456789Z\","
	"\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"]},"
	"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DA "\",\"" DB "\"]},"
	"\"history\":[{\"created_by\":\"x\"}]}";

static struct reg_manifest *m;

static int parse(const char *json, const char *ct, struct err *e)
{
	memset(e, 0, sizeof(*e));
	return reg_manifest_parse(m, json, strlen(json), ct, e);
}

/* The parse fails and the message starts with want. */
static void refused(const char *json, const char *ct, const char *want, const char *name)
{
	struct err e;
	int r = parse(json, ct, &e);

	ok(r == -1 && strncmp(e.msg, want, strlen(want)) == 0, "%s", name);
	if (r != -1 || strncmp(e.msg, want, strlen(want)) != 0)
		diag("got \"%s\", want \"%s...\"", r == -1 ? e.msg : "(accepted)", want);
}

static void test_docker_v2(void)
{
	struct err e;

	is_int(parse(docker_v2, REG_MT_DOCKER_MANIFEST, &e), 0, "docker v2 manifest");
	is_int(m->kind, REG_MANIFEST_DOCKER_V2, "  kind");
	is_str(m->config.digest, DA, "  config digest");
	is_int(m->config.size, 1469, "  config size");
	is_int((long long)m->nlayers, 2, "  two layers");
	is_str(m->layers[0].digest, DB, "  layer 0 digest");
	is_int(m->layers[0].comp, REG_COMP_GZIP, "  layer 0 gzip");
	ok(!m->layers[0].foreign, "  layer 0 not foreign");
	ok(m->layers[1].foreign, "  layer 1 foreign (urls ignored)");
	is_int(parse(docker_v2, NULL, &e), 0, "docker v2 without a Content-Type");
	is_int(parse(docker_v2, "application/json", &e), 0, "docker v2 as application/json");
	is_int(m->kind, REG_MANIFEST_DOCKER_V2, "  kind from the field");
	is_int(parse(docker_v2, "Application/Vnd.Docker.Distribution.Manifest.v2+JSON ; x=y", &e),
	       0, "Content-Type with case and parameters");
}

static void test_oci(void)
{
	struct err e;

	is_int(parse(oci_bare, REG_MT_OCI_MANIFEST, &e), 0, "OCI manifest without mediaType");
	is_int(m->kind, REG_MANIFEST_OCI, "  kind from the header");
	is_int(parse(oci_bare, NULL, &e), 0, "OCI manifest with neither");
	is_int(m->kind, REG_MANIFEST_OCI, "  kind from the fields");
	is_int((long long)m->nlayers, 4, "  four layers");
	is_int(m->layers[1].comp, REG_COMP_ZSTD, "  zstd");
	is_int(m->layers[2].comp, REG_COMP_NONE, "  uncompressed");
	is_int(m->layers[2].size, 0, "  size 0 is fine");
	ok(m->layers[3].foreign && m->layers[3].comp == REG_COMP_GZIP, "  nondistributable");
	refused(oci_bare, REG_MT_DOCKER_LIST, "index: manifests: missing",
		"a manifest sent as an index");
}

static void test_indexes(void)
{
	struct err e;

	is_int(parse(docker_list, REG_MT_DOCKER_LIST, &e), 0, "docker manifest list");
	is_int(m->kind, REG_MANIFEST_DOCKER_LIST, "  kind");
	is_int((long long)m->nmanifests, 3, "  three entries");
	is_str(m->manifests[1].platform.arch, "arm", "  entry 1 arch");
	is_str(m->manifests[1].platform.variant, "v7", "  entry 1 variant");
	is_str(m->manifests[2].d.digest, DC, "  entry 2 digest");

	is_int(parse(oci_index, REG_MT_OCI_INDEX, &e), 0, "OCI index with attestations");
	is_int(m->kind, REG_MANIFEST_OCI_INDEX, "  kind");
	is_int((long long)m->nmanifests, 4, "  four entries");
	ok(!m->manifests[0].attestation, "  entry 0 is an image");
	ok(m->manifests[1].attestation, "  entry 1 is an attestation");
	is_str(m->manifests[2].os_version, "10.0.17763.1234", "  os.version");
	is_str(m->manifests[2].os_features, "win32k,x", "  os.features");
	ok(!m->manifests[3].has_platform, "  entry 3 has no platform");
	ok(m->manifests[0].has_platform, "  entry 0 has one");
}

static void test_refusals(void)
{
	refused("{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_OCI_INDEX "\",\"manifests\":[],"
		"\"layers\":[]}",
		NULL, "manifest: has both \"manifests\" and \"layers\"/\"config\"",
		"index and manifest at once (CVE-2021-41190)");
	refused("{\"schemaVersion\":2,\"manifests\":[],\"config\":{}}", REG_MT_OCI_MANIFEST,
		"manifest: has both", "manifests with config, no mediaType");
	refused(docker_list, REG_MT_OCI_INDEX,
		"manifest: mediaType \"" REG_MT_DOCKER_LIST
		"\" does not match the Content-Type \"" REG_MT_OCI_INDEX "\"",
		"mediaType disagrees with Content-Type");
	refused(docker_v2, REG_MT_OCI_MANIFEST, "manifest: mediaType \"" REG_MT_DOCKER_MANIFEST,
		"docker v2 sent as OCI");
	refused("{\"schemaVersion\":1,\"name\":\"x\",\"tag\":\"latest\",\"fsLayers\":[]}", NULL,
		"manifest: schema 1 manifests are not supported (deprecated by Docker in 2019); "
		"push "
		"the image again with a current client",
		"schemaVersion 1");
	refused("{}", REG_MT_DOCKER_SCHEMA1_SIGNED, "manifest: schema 1 manifests",
		"schema 1 by Content-Type (signed)");
	refused("{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_DOCKER_SCHEMA1 "\"}", NULL,
		"manifest: schema 1 manifests", "schema 1 by mediaType");
	refused("{\"schemaVersion\":3,\"layers\":[]}", NULL,
		"manifest: schemaVersion: unsupported version 3 (want 2)", "schemaVersion 3");
	refused("{\"layers\":[]}", NULL, "manifest: schemaVersion: missing", "no schemaVersion");
	refused("{\"schemaVersion\":\"2\"}", NULL, "manifest: schemaVersion: expected a number",
		"schemaVersion as a string");
	refused("{\"schemaVersion\":2}", NULL, "manifest: neither a manifest nor an index",
		"nothing to tell the kind by");
	refused("{\"schemaVersion\":2,\"mediaType\":\"application/"
		"vnd.oci.artifact.manifest.v1+json\"}",
		NULL,
		"manifest: mediaType: \"application/vnd.oci.artifact.manifest.v1+json\" is not",
		"unknown mediaType");
	refused("[1,2]", NULL, "manifest: JSON value: expected an object", "not an object");
	refused("{\"schemaVersion\":2,", NULL, "manifest: invalid JSON at line 1", "not JSON");
	refused("", NULL, "manifest: invalid JSON: empty document", "empty");
	refused("{\"schemaVersion\":2,\"schemaVersion\":1,\"layers\":[]}", NULL,
		"manifest: \"schemaVersion\": the key appears twice", "duplicate key");
}

/* A docker v2 manifest whose layer i is given by fmt. */
static char *with_layer(const char *layer)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_DOCKER_MANIFEST "\","
		 "\"config\":{\"mediaType\":\"" REG_MT_DOCKER_CONFIG
		 "\",\"size\":1,\"digest\":\"" DA "\"},\"layers\":["
		 "{\"mediaType\":\"" REG_MT_DOCKER_LAYER "\",\"size\":1,\"digest\":\"" DB "\"},"
		 "{\"mediaType\":\"" REG_MT_DOCKER_LAYER "\",\"size\":1,\"digest\":\"" DB "\"},"
		 "%s]}",
		 layer);
	return buf;
}

static void test_descriptors(void)
{
	char big[200 * 180], *p = big;

	refused(with_layer("{\"mediaType\":\"" REG_MT_DOCKER_LAYER "\",\"size\":1,"
			   "\"digest\":\"sha256:1234\"}"),
		NULL, "manifest: layers[2].digest: invalid digest \"sha256:1234\"",
		"invalid layer digest names its path");
	refused(with_layer("{\"mediaType\":\"" REG_MT_DOCKER_LAYER "\",\"size\":1,"
			   "\"digest\":\"sha512:1234\"}"),
		NULL, "manifest: layers[2].digest: unsupported digest algorithm",
		"sha512 layer digest");
	refused(with_layer("{\"mediaType\":\"" REG_MT_DOCKER_LAYER "\",\"size\":1}"), NULL,
		"manifest: layers[2].digest: missing", "missing digest");
	refused(with_layer("{\"mediaType\":\"" REG_MT_DOCKER_LAYER "\",\"size\":-5,"
			   "\"digest\":\"" DB "\"}"),
		NULL, "manifest: layers[2].size: negative size -5", "negative size");
	refused(with_layer("{\"mediaType\":\"" REG_MT_DOCKER_LAYER "\",\"size\":1.5,"
			   "\"digest\":\"" DB "\"}"),
		NULL, "manifest: layers[2].size: expected an integer", "fractional size");
	refused(with_layer("{\"mediaType\":\"application/vnd.example.blob\",\"size\":1,"
			   "\"digest\":\"" DB "\"}"),
		NULL,
		"manifest: layers[2].mediaType: unknown layer media type "
		"\"application/vnd.example.blob\"",
		"unknown layer media type");
	refused(with_layer("{\"mediaType\":\"" REG_MT_DOCKER_LAYER "\",\"size\":1,"
			   "\"digest\":\"" DB "\",\"digest\":\"" DC "\"}"),
		NULL, "manifest: layers[2]: \"digest\": the key appears twice",
		"duplicate key in a descriptor");
	refused("{\"schemaVersion\":2,\"config\":{\"mediaType\":"
		"\"application/vnd.cncf.helm.config.v1+json\",\"size\":1,\"digest\":\"" DA "\"},"
		"\"layers\":[]}",
		REG_MT_OCI_MANIFEST,
		"manifest: config.mediaType: \"application/vnd.cncf.helm.config.v1+json\" is not a "
		"container image configuration",
		"a helm chart is not an image");
	refused("{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_OCI_INDEX "\",\"manifests\":["
		"{\"mediaType\":\"" REG_MT_OCI_MANIFEST "\",\"size\":1,\"digest\":\"" DA "\"},"
		"{\"mediaType\":\"" REG_MT_OCI_MANIFEST "\",\"size\":1,\"digest\":\"md5:00\"}]}",
		NULL, "index: manifests[1].digest: unsupported digest algorithm",
		"index entry digest names its path");
	refused("{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_OCI_INDEX "\",\"manifests\":["
		"{\"mediaType\":\"" REG_MT_OCI_MANIFEST "\",\"size\":1,\"digest\":\"" DA "\","
		"\"platform\":{\"os\":\"linux\"}}]}",
		NULL, "index: manifests[0].platform.architecture: missing",
		"platform without architecture");

	p += sprintf(p, "{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_OCI_MANIFEST "\","
			"\"config\":{\"mediaType\":\"" REG_MT_OCI_CONFIG "\",\"size\":1,"
			"\"digest\":\"" DA "\"},\"layers\":[");
	for (int i = 0; i < 129; i++)
		p += sprintf(p,
			     "%s{\"mediaType\":\"" REG_MT_OCI_LAYER_GZIP "\",\"size\":1,"
			     "\"digest\":\"" DB "\"}",
			     i ? "," : "");
	strcpy(p, "]}");
	refused(big, NULL, "manifest: layers: 129 layers, more than the 128 tug supports",
		"129 layers");
	/* 128 is the limit, not beyond it */
	strcpy(strrchr(big, '{') - 1, "]}");
	struct err e;
	is_int(parse(big, NULL, &e), 0, "128 layers are fine");
	is_int((long long)m->nlayers, 128, "  all 128");
}

static void test_build(void)
{
	static struct reg_manifest again;
	char *json = NULL, *json2 = NULL;
	size_t len = 0, len2 = 0;
	struct err e = {0};

	parse(docker_v2, NULL, &e);
	ok(reg_manifest_to_json(m, &json, &len, &e) == 0, "docker v2 back to JSON");
	is_str(json,
	       "{\"schemaVersion\":2,\"mediaType\":\"" REG_MT_DOCKER_MANIFEST "\",\"config\":{"
	       "\"mediaType\":\"" REG_MT_DOCKER_CONFIG "\",\"size\":1469,\"digest\":\"" DA
	       "\"},\"layers\":[{\"mediaType\":\"" REG_MT_DOCKER_LAYER "\",\"size\":2479,"
	       "\"digest\":\"" DB "\"},{\"mediaType\":\"" REG_MT_DOCKER_LAYER_FOREIGN "\","
	       "\"size\":1024,\"digest\":\"" DC "\"}]}",
	       "  the exact bytes, Docker's key order");
	is_int(reg_manifest_parse(&again, json, len, REG_MT_DOCKER_MANIFEST, &e), 0,
	       "  which parses back");
	ok(reg_manifest_to_json(&again, &json2, &len2, &e) == 0 && strcmp(json, json2) == 0,
	   "  to the same bytes");
	cJSON_free(json);
	cJSON_free(json2);

	parse(oci_bare, NULL, &e);
	m->layers[0].size = 1LL << 60; /* beyond a double's exact integers */
	ok(reg_manifest_to_json(m, &json, &len, &e) == 0, "OCI manifest to JSON");
	ok(strstr(json, "\"mediaType\":\"" REG_MT_OCI_MANIFEST "\"") != NULL,
	   "  with its mediaType (CVE-2021-41190 advice)");
	ok(strstr(json, "\"digest\":\"" DB "\",\"size\":1152921504606846976}") != NULL,
	   "  OCI key order, exact large size");
	cJSON_free(json);

	parse(oci_index, NULL, &e);
	ok(reg_manifest_to_json(m, &json, &len, &e) == 0, "OCI index to JSON");
	ok(strstr(json,
		  "\"platform\":{\"architecture\":\"windows-x\",\"os\":\"windows\","
		  "\"os.version\":\"10.0.17763.1234\",\"os.features\":[\"win32k\",\"x\"]}") != NULL,
	   "  platform with os.version and os.features");
	is_int(reg_manifest_parse(&again, json, len, NULL, &e), 0, "  parses back");
	is_int((long long)again.nmanifests, 4, "  four entries");
	cJSON_free(json);

	memset(&again, 0, sizeof(again));
	again.kind = REG_MANIFEST_OCI;
	strcpy(again.config.media_type, REG_MT_OCI_CONFIG);
	strcpy(again.config.digest, "sha256:nope");
	ok(reg_manifest_to_json(&again, &json, &len, &e) == -1 &&
		   strstr(e.msg, "build manifest: config.digest: invalid digest"),
	   "an invalid digest is not written");
	strcpy(again.config.digest, DA);
	again.config.size = -1;
	ok(reg_manifest_to_json(&again, &json, &len, &e) == -1 &&
		   strstr(e.msg, "config: negative size -1"),
	   "a negative size is not written");
	again.kind = REG_MANIFEST_NONE;
	ok(reg_manifest_to_json(&again, &json, &len, &e) == -1, "no kind, no JSON");
}

static void test_config(void)
{
	static struct reg_image_config c;
	struct err e = {0};

	is_int(reg_config_parse(&c, config_json, strlen(config_json), &e), 0, "image config");
	is_str(c.platform.os, "linux", "  os");
	is_str(c.platform.arch, "arm64", "  architecture");
	is_str(c.platform.variant, "v8", "  variant");
	is_str(c.created, "2024-01-02T03:04:05.123456789Z", "  created");
	is_int((long long)c.ndiff_ids, 2, "  two diff ids");
	is_str(c.diff_ids[1], DB, "  diff id 1");

	parse(docker_v2, NULL, &e);
	is_int(reg_config_check_layers(&c, m, &e), 0, "as many diff ids as layers");
	parse(oci_bare, NULL, &e);
	ok(reg_config_check_layers(&c, m, &e) == -1 &&
		   strstr(e.msg, "rootfs.diff_ids has 2 layers but the manifest lists 4"),
	   "a count mismatch is refused");
	parse(docker_list, NULL, &e);
	is_int(reg_config_check_layers(&c, m, &e), -1, "an index is not a manifest");

	const char *bad1 = "{\"rootfs\":{\"type\":\"other\",\"diff_ids\":[]}}";
	ok(reg_config_parse(&c, bad1, strlen(bad1), &e) == -1 &&
		   strcmp(e.msg, "image config: rootfs.type: \"other\" is not supported (want "
				 "\"layers\")") == 0,
	   "rootfs.type must be layers");
	const char *bad2 = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DA "\",\"x\"]}}";
	ok(reg_config_parse(&c, bad2, strlen(bad2), &e) == -1 &&
		   strstr(e.msg, "image config: rootfs.diff_ids[1]: invalid digest \"x\"") == e.msg,
	   "an invalid diff id names its path");
	const char *bad3 = "{\"architecture\":\"amd64\"}";
	ok(reg_config_parse(&c, bad3, strlen(bad3), &e) == -1 &&
		   strcmp(e.msg, "image config: rootfs: missing") == 0,
	   "rootfs is required");
	const char *none = "{\"architecture\":\"x86_64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
			   "\"layers\"}}";
	ok(reg_config_parse(&c, none, strlen(none), &e) == 0 && c.ndiff_ids == 0,
	   "an image without layers");
	is_str(c.platform.arch, "amd64", "  x86_64 is amd64");
}

int main(void)
{
	m = malloc(sizeof(*m));
	if (!m)
		return 1;
	test_docker_v2();
	test_oci();
	test_indexes();
	test_refusals();
	test_descriptors();
	test_build();
	test_config();
	free(m);
	return done_testing();
}
