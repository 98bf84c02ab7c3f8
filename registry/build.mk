# registry/build.mk - what registry/ compiles, by feature (see registry/Kconfig).

# Registry auth: WWW-Authenticate challenges, token answers, credentials in
# Docker's config.json.
lib-$(CONFIG_REGISTRY) += core/lib/base64.c registry/auth.c registry/creds.c
# References, manifests and platforms: the store, save/load and the daemon
# need them too, so they come with IMAGES rather than REGISTRY.
lib-$(CONFIG_IMAGES) += registry/ref.c registry/manifest.c registry/platform.c

# Sessions with a registry, resumable blob downloads, pull.
lib-$(CONFIG_REGISTRY) += registry/client.c registry/insecure.c registry/token.c registry/blob.c \
	registry/pull.c

# Push: blobs (HEAD, cross-repository mount, whole or chunked upload), then
# the stored manifest.
lib-$(CONFIG_PUSH) += registry/push.c
