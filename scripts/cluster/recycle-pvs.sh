#!/usr/bin/env bash
# Makes the running test cluster's Released local PVs Available again: the static volumes have
# reclaimPolicy Retain (there is no provisioner to delete them), so a claim deleted with its
# namespace leaves its PV Released and unusable. For each Released PV of STORAGE_CLASS whose
# folder is under $CLUSTER_STATE/pv: empties the folder and drops the PV's claimRef.
# A Released PV has no claim any more, and a claim in use by a pod cannot be deleted, so no pod
# is using a folder that this empties.
# Usage: bash scripts/cluster/recycle-pvs.sh   (prints how many it recycled)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=config.sh
source "$here/config.sh"

n=0
while read -r name phase sc path; do
  [ "$phase" = Released ] && [ "$sc" = "$STORAGE_CLASS" ] || continue
  case "$path" in "$CLUSTER_STATE/pv/"*) ;; *) continue ;; esac
  [ -d "$path" ] && find "$path" -mindepth 1 -delete
  "$here/kubectl" patch pv "$name" --type json -p '[{"op": "remove", "path": "/spec/claimRef"}]' >/dev/null
  n=$((n + 1))
done < <("$here/kubectl" get pv -o jsonpath='{range .items[*]}{.metadata.name} {.status.phase} {.spec.storageClassName} {.spec.local.path}{"\n"}{end}')
echo "recycled $n PersistentVolumes"
