/* features.c - `tug features`: what this binary was built with, so a device's
 * owner can tell what a given tug can do (crun features, BearSSL br_get_config). */
#include <stdio.h>
#include <string.h>

#include "applets.h"
#include "core/applet.h"
#include "tug-deps-versions.h"
#include "version.h"

//applet: features tug_features_main "Print the compiled-in features and library versions"

struct feature {
	const char *name;
	int on;
	const char *summary;
};

#define FEATURE_ROW(name, on, summary) {name, on, summary},
static const struct feature features[] = {CFG_FEATURES(FEATURE_ROW)};

static void print_libraries(void)
{
	/* Only what is linked in: the Debian source versions it was built from. */
	printf("libraries:\n  libc %s\n  cJSON %s\n", TUG_LIBC_VERSION, TUG_DEP_CJSON_VERSION);
	if (CFG_TLS)
		printf("  BearSSL %s\n", TUG_DEP_BEARSSL_VERSION);
	if (CFG_IMAGES)
		printf("  libarchive %s\n  zlib %s\n  zstd %s\n", TUG_DEP_LIBARCHIVE_VERSION,
		       TUG_DEP_ZLIB_VERSION, TUG_DEP_LIBZSTD_VERSION);
}

int tug_features_main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") != 0) {
		fprintf(stderr, "tug features: takes no arguments\n");
		return TUG_EXIT_USAGE;
	}
	if (argc > 1) {
		printf("Usage: tug features\n\nPrint the compiled-in features "
		       "(+ in, - out) and the versions of the linked libraries.\n");
		return TUG_EXIT_OK;
	}
	printf("tug %s (%s) for %s, board %s\nfeatures:\n", TUG_VERSION, TUG_GIT_REV,
	       CFG_ARCH_X86_64    ? "x86_64"
	       : CFG_ARCH_AARCH64 ? "aarch64"
				  : "armv7",
	       CFG_BOARD);
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		printf("  %c%-17s %s\n", features[i].on ? '+' : '-', features[i].name,
		       features[i].summary);
	print_libraries();
	return TUG_EXIT_OK;
}
