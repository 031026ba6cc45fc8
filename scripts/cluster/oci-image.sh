#!/usr/bin/env bash
# Packs a root filesystem folder into a one-layer image archive that
# `ctr -n k8s.io images import` takes (there is no registry and no image builder here).
#
# Usage: bash scripts/cluster/oci-image.sh --rootfs DIR --ref IMAGE_REF --out TAR
#          [--entrypoint JSON_ARRAY] [--cmd JSON_ARRAY] [--user UID[:GID]] [--workdir DIR]
#          [--env NAME=VALUE]...
#   e.g. --ref localhost/cdk8s-glance/pause:3.10 --entrypoint '["/pause"]' --user 65535:65535
#
# The archive is an OCI image layout (oci-layout, index.json, blobs/sha256/...) that also carries
# a Docker-style manifest.json, with one uncompressed tar layer. The layer is made
# reproducibly (sorted, mtime 0, numeric owners as they are in DIR), so the same folder gives
# the same image digest. The full reference is in the index's io.containerd.image.name
# annotation, which ctr uses as the image name. Needs jq, tar, sha256sum.
set -euo pipefail

rootfs='' ref='' out='' entrypoint=null cmd=null user='' workdir='' envs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rootfs) rootfs=$2; shift 2 ;;
    --ref) ref=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --entrypoint) entrypoint=$2; shift 2 ;;
    --cmd) cmd=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    *) echo "oci-image: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -d "$rootfs" ] && [ -n "$ref" ] && [ -n "$out" ] || {
  echo "usage: oci-image.sh --rootfs DIR --ref IMAGE_REF --out TAR [--entrypoint JSON] [--cmd JSON] [--user U] [--workdir D] [--env K=V]..." >&2
  exit 2
}
tag=${ref##*:}
case "$ref" in *:*) ;; *) tag=latest; ref=$ref:latest ;; esac

work=$(mktemp -d "${out}.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/blobs/sha256"

# The layer: the whole folder, reproducible.
tar -C "$rootfs" --sort=name --mtime=@0 --numeric-owner --xattrs -cf "$work/layer.tar" .
layer_digest=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
layer_size=$(stat -c %s "$work/layer.tar")
mv "$work/layer.tar" "$work/blobs/sha256/$layer_digest"

env_json=$(printf '%s\n' "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "${envs[@]}" |
  jq -R . | jq -s .)
jq -cn --argjson ep "$entrypoint" --argjson cmd "$cmd" --arg user "$user" --arg wd "$workdir" \
  --argjson env "$env_json" --arg diff "sha256:$layer_digest" '{
    architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
    config: ({Env: $env, Entrypoint: $ep, Cmd: $cmd}
      + (if $user != "" then {User: $user} else {} end)
      + (if $wd != "" then {WorkingDir: $wd} else {} end)),
    rootfs: {type: "layers", diff_ids: [$diff]},
    history: [{created: "1970-01-01T00:00:00Z", created_by: "scripts/cluster/oci-image.sh"}]
  }' >"$work/config.json"
config_digest=$(sha256sum "$work/config.json" | cut -d' ' -f1)
config_size=$(stat -c %s "$work/config.json")
mv "$work/config.json" "$work/blobs/sha256/$config_digest"

jq -cn --arg cd "sha256:$config_digest" --argjson cs "$config_size" \
  --arg ld "sha256:$layer_digest" --argjson ls "$layer_size" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls}]
  }' >"$work/manifest"
manifest_digest=$(sha256sum "$work/manifest" | cut -d' ' -f1)
manifest_size=$(stat -c %s "$work/manifest")
mv "$work/manifest" "$work/blobs/sha256/$manifest_digest"

jq -cn --arg md "sha256:$manifest_digest" --argjson ms "$manifest_size" --arg ref "$ref" --arg tag "$tag" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
      platform: {architecture: "amd64", os: "linux"},
      annotations: {"io.containerd.image.name": $ref, "org.opencontainers.image.ref.name": $tag}}]
  }' >"$work/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
jq -cn --arg c "blobs/sha256/$config_digest" --arg ref "$ref" --arg l "blobs/sha256/$layer_digest" \
  '[{Config: $c, RepoTags: [$ref], Layers: [$l]}]' >"$work/manifest.json"

tar -C "$work" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
  -cf "$out.tmp" oci-layout index.json manifest.json blobs
mv "$out.tmp" "$out"
echo "$out"
