/**
 * Checks that a set of manifests holds together, whatever built it: every claim a pod mounts is
 * created (a PersistentVolumeClaim, or a StatefulSet's claim template for one of its replicas),
 * every file of the config Secret a command runs is in that Secret, and every API that mounts a
 * cache has the cache options in its glance.conf (and the other way round). The examples, the
 * fuzzer and the composition matrix run it.
 */
import { expectMountsResolve, Manifest, parseIniText } from './helpers';

const CONFIG_DIR = '/etc/glance/glance.conf.d';
const CACHE_DIR = '/var/lib/glance/image-cache';

function podTemplates(manifests: Manifest[]): Array<{ where: string; spec: any }> {
  return manifests.flatMap((m) => {
    const where = `${m.kind}/${m.metadata.name}`;
    if (m.kind === 'CronJob') return [{ where, spec: m.spec.jobTemplate.spec.template.spec }];
    if (m.kind === 'StatefulSet' || m.kind === 'Job') return [{ where, spec: m.spec.template.spec }];
    return [];
  });
}

/** The names of every claim the manifests create, StatefulSet claims (`<template>-<sts>-<N>`) included. */
function createdClaims(manifests: Manifest[]): Set<string> {
  const claims = new Set(manifests.filter((m) => m.kind === 'PersistentVolumeClaim').map((m) => m.metadata.name));
  for (const sts of manifests.filter((m) => m.kind === 'StatefulSet')) {
    for (const template of sts.spec.volumeClaimTemplates ?? []) {
      for (let n = 0; n < sts.spec.replicas; n++) claims.add(`${template.metadata.name}-${sts.metadata.name}-${n}`);
    }
  }
  return claims;
}

export function expectWellComposed(manifests: Manifest[]): void {
  expectMountsResolve(manifests);
  const claims = createdClaims(manifests);
  const secrets = new Map(manifests.filter((m) => m.kind === 'Secret').map((m) => [m.metadata.name, m.stringData ?? {}]));
  for (const { where, spec } of podTemplates(manifests)) {
    const volumes: any[] = spec.volumes ?? [];
    // Every claim mounted by name exists.
    const missingClaims = volumes.map((v) => v.persistentVolumeClaim?.claimName).filter((c) => c !== undefined && !claims.has(c));
    expect([where, missingClaims]).toEqual([where, []]);
    // Every file a command reads from the config directory is in the Secret mounted there.
    for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
      const configMount = (container.volumeMounts ?? []).find((mount: any) => mount.mountPath === CONFIG_DIR);
      const secretName = volumes.find((v) => v.name === configMount?.name)?.secret?.secretName;
      const files = (container.command ?? []).concat(container.args ?? [])
        .filter((arg: string) => arg.startsWith(`${CONFIG_DIR}/`)).map((arg: string) => arg.slice(CONFIG_DIR.length + 1));
      const ours = secrets.get(secretName);
      if (ours === undefined) continue;
      const missingFiles = files.filter((file: string) => !(file in ours));
      expect([where, container.name, missingFiles]).toEqual([where, container.name, []]);
    }
  }
  // An API mounts a cache exactly when its glance.conf has the cache options.
  for (const sts of manifests.filter((m) => m.kind === 'StatefulSet')) {
    const container = sts.spec.template.spec.containers.find((c: any) => c.name === 'glance-api');
    const mountsCache = (container.volumeMounts ?? []).some((mount: any) => mount.mountPath === CACHE_DIR);
    const conf = parseIniText(secrets.get(`${sts.metadata.name}-config`)?.['00-glance.conf'] ?? '');
    const where = `StatefulSet/${sts.metadata.name}`;
    expect([where, conf.DEFAULT?.image_cache_dir]).toEqual([where, mountsCache ? CACHE_DIR : undefined]);
    const policy = secrets.get(`${sts.metadata.name}-config`)?.['policy.yaml'] ?? '';
    expect([where, /cache_image/.test(policy)]).toEqual([where, mountsCache]);
  }
}
