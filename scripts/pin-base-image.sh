#!/bin/sh
# Pins the Dockerfile's base image (ARG NODE_IMAGE) to the current index digest of its tag, so
# a rebuild of the same commit builds on the same image. Needs registry access and one of
# docker buildx, skopeo or crane. Run it, review the diff, commit it.
#
#   sh scripts/pin-base-image.sh [TAG]       (default: node:24-bookworm-slim)
set -eu
tag=${1:-node:24-bookworm-slim}
dockerfile=$(dirname "$0")/../Dockerfile
digest=
if docker buildx version >/dev/null 2>&1; then
  digest=$(docker buildx imagetools inspect "$tag" --format '{{json .Manifest}}' | sed -n 's/.*"digest":"\(sha256:[0-9a-f]\{64\}\)".*/\1/p')
elif command -v skopeo >/dev/null 2>&1; then
  digest="sha256:$(skopeo inspect --raw "docker://docker.io/library/$tag" | sha256sum | cut -d' ' -f1)"
elif command -v crane >/dev/null 2>&1; then
  digest=$(crane digest "$tag")
else
  echo "pin-base-image: needs docker buildx, skopeo or crane" >&2
  exit 1
fi
case "$digest" in
  sha256:????????????????????????????????????????????????????????????????) ;;
  *) echo "pin-base-image: no digest for $tag (got '$digest')" >&2; exit 1 ;;
esac
sed -i "s|^ARG NODE_IMAGE=.*|ARG NODE_IMAGE=$tag@$digest|" "$dockerfile"
grep -n '^ARG NODE_IMAGE=' "$dockerfile"
