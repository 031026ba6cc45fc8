/**
 * How the pod parts of several stores (ImageBackend.multi()) become one pod: its volumes, mounts,
 * environment and security context.
 */
import type { k8s } from 'cdk8s-plus-28';
import { GlanceValidationError } from '../errors';
import { SECRET_MODE } from '../pod-security';
import { StoreAt } from './context';

/** What a store adds to one API's pod: volumes and their mounts in the glance-api container, and its environment. */
export interface StorePodParts {
  /** Volumes of the pod. */
  readonly volumes: k8s.Volume[];
  /** Mounts of the glance-api container. */
  readonly mounts: k8s.VolumeMount[];
  /**
   * Environment of the glance-api container: the store's credentials, from Secrets.
   * @default - none
   */
  readonly env?: k8s.EnvVar[];
  /**
   * The glance-api container's security context, where the store cannot work under the
   * restricted one (the Cinder store's opt-in).
   * @default - the restricted context
   */
  readonly securityContext?: k8s.SecurityContext;
  /**
   * Whether the pod shares the node's PID namespace, where the store runs the node's own programs
   * (the Cinder store's nodeTools).
   * @default false
   */
  readonly hostPID?: boolean;
}

/**
 * Merges the pod parts of several stores into one pod. Equal volumes at one path are one volume;
 * Secrets at one read-only path (the Ceph Secrets of several clusters at /etc/ceph) are projected
 * together; any other two volumes at one path are an error. Volume names get a suffix where they clash.
 */
export function mergePodParts(parts: Array<[StoreAt, StorePodParts]>): StorePodParts {
  const volumes: k8s.Volume[] = [];
  const mounts: k8s.VolumeMount[] = [];
  const env: k8s.EnvVar[] = [];
  const byPath = new Map<string, { store: StoreAt; index: number }>();
  let securityContext: k8s.SecurityContext | undefined;
  let hostPID = false;
  for (const [store, part] of parts) {
    // This store's volumes as the pod names them: one volume may have several mounts (files of one ConfigMap).
    const named = new Map<string, number>();
    for (const mount of part.mounts) {
      const volume = part.volumes.find((v) => v.name === mount.name)!;
      const held = byPath.get(mount.mountPath);
      if (!held) {
        if (!named.has(volume.name)) {
          named.set(volume.name, volumes.length);
          volumes.push({ ...volume, name: unusedName(volume.name, volumes) });
        }
        const index = named.get(volume.name)!;
        byPath.set(mount.mountPath, { store, index });
        mounts.push({ ...mount, name: volumes[index].name });
        continue;
      }
      const heldVolume = volumes[held.index];
      const heldMount = mounts.find((m) => m.mountPath === mount.mountPath)!;
      if (same({ ...heldVolume, name: '' }, { ...volume, name: '' }) && same({ ...heldMount, name: '' }, { ...mount, name: '' })) continue;
      const projected = heldMount.readOnly && mount.readOnly ? projectSecrets(heldVolume, volume) : undefined;
      if (!projected) {
        throw new GlanceValidationError(store.prop, mount.mountPath,
          `needs a volume of its own at ${mount.mountPath}, where store "${held.store.section}" mounts another`,
          'combine stores that need different files there');
      }
      volumes[held.index] = { name: heldVolume.name, ...projected };
    }
    for (const variable of part.env ?? []) {
      const existing = env.find((e) => e.name === variable.name);
      if (existing && !same(existing, variable)) throw new Error(`two stores set ${variable.name} differently`);
      if (!existing) env.push(variable);
    }
    if (part.securityContext) {
      if (securityContext && !same(securityContext, part.securityContext)) throw new Error('two stores need different security contexts');
      securityContext = part.securityContext;
    }
    hostPID ||= part.hostPID === true;
  }
  return { volumes, mounts, ...(env.length ? { env } : {}), ...(securityContext ? { securityContext } : {}), ...(hostPID ? { hostPID } : {}) };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function unusedName(name: string, volumes: k8s.Volume[]): string {
  let candidate = name;
  for (let n = 2; volumes.some((v) => v.name === candidate); n++) candidate = `${name}-${n}`;
  return candidate;
}

/** Two Secret volumes (plain or projected) as one projected volume, or undefined if either is something else. */
function projectSecrets(a: k8s.Volume, b: k8s.Volume): Pick<k8s.Volume, 'projected'> | undefined {
  const sources = (v: k8s.Volume): k8s.VolumeProjection[] | undefined => {
    if (v.secret) return [{ secret: { name: v.secret.secretName, ...(v.secret.items ? { items: v.secret.items } : {}) } }];
    if (v.projected && v.projected.sources?.every((s) => s.secret && Object.keys(s).length === 1)) return v.projected.sources;
    return undefined;
  };
  const [first, second] = [sources(a), sources(b)];
  if (!first || !second) return undefined;
  const all = [...first, ...second].filter((s, i, list) => list.findIndex((o) => same(o, s)) === i);
  return { projected: { defaultMode: SECRET_MODE, sources: all } };
}
