/**
 * Volumes of the user's own in the glance-api containers (extraMounts): Secrets or a ConfigMap,
 * read-only, at paths that neither hide the image's files nor meet the library's own mounts.
 */
import type { k8s } from 'cdk8s-plus-28';
import { GlanceValidationError } from './errors';
import { checkSubdomain } from './names';
import { SECRET_MODE } from './pod-security';
import { isObject } from './stores/checks';

/** A volume of your own that every glance-api container mounts, read-only. */
export interface GlanceExtraMount {
  /**
   * Absolute path in the glance-api container. It may not hide the image's files (`/`, a system
   * directory such as `/etc` or `/usr`, `/etc/glance` or a parent of it) nor meet a mount of the
   * library (its config, state, cache, policy, CA bundle and store volumes), at it, above it or below it.
   */
  readonly mountPath: string;
  /**
   * Secrets in the chart's namespace whose keys become files there (mode 0440; several are
   * projected into the one directory). Give these or configMapName.
   * @default - none: configMapName
   */
  readonly secretNames?: string[];
  /**
   * A ConfigMap in the chart's namespace whose keys become files there. Give this or secretNames.
   * @default - none: secretNames
   */
  readonly configMapName?: string;
}

/** Directories of the image a mount would hide: the system's, and where Glance keeps its own files. */
const IMAGE_DIRS = ['/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib64', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys',
  '/tmp', '/usr', '/var', '/etc/glance'];

const normalized = (path: string) => path.replace(/\/+$/, '') || '/';
const within = (path: string, dir: string) => dir === '/' || path === dir || path.startsWith(`${dir}/`);

/** Checks extraMounts on their own (their places against the library's mounts: checkExtraMountPaths). */
export function checkExtraMounts(prop: string, mounts: unknown): void {
  if (mounts === undefined) return;
  if (!Array.isArray(mounts)) {
    throw new GlanceValidationError(prop, mounts, 'is not a list', 'give a list of { mountPath, secretNames | configMapName }');
  }
  const seen = new Set<string>();
  mounts.forEach((mount, i) => {
    const at = `${prop}[${i}]`;
    if (!isObject(mount)) {
      throw new GlanceValidationError(at, mount, 'is not an object', 'give { mountPath, secretNames } or { mountPath, configMapName }');
    }
    const path = mount.mountPath;
    if (typeof path !== 'string' || !/^\/[^\s\0]*$/.test(path) || path.split('/').some((part) => part === '.' || part === '..')) {
      throw new GlanceValidationError(`${at}.mountPath`, path, 'is not an absolute path', 'use e.g. "/etc/ceph"');
    }
    const place = normalized(path);
    if (IMAGE_DIRS.some((dir) => within(dir, place))) {
      throw new GlanceValidationError(`${at}.mountPath`, path, 'would hide files of the image Glance needs', 'mount it deeper, e.g. "/etc/ceph"');
    }
    if (seen.has(place)) throw new GlanceValidationError(`${at}.mountPath`, path, 'is the place of an earlier extra mount', 'give each its own path');
    seen.add(place);
    const { secretNames, configMapName } = mount;
    if ((secretNames === undefined) === (configMapName === undefined)) {
      throw new GlanceValidationError(at, mount, 'gives not exactly one of secretNames and configMapName', 'give the Secrets or the ConfigMap');
    }
    if (configMapName !== undefined) checkSubdomain(`${at}.configMapName`, configMapName, 'is not a ConfigMap name');
    if (secretNames !== undefined) {
      if (!Array.isArray(secretNames) || secretNames.length === 0) {
        throw new GlanceValidationError(`${at}.secretNames`, secretNames, 'is not a list of Secret names', 'name at least one Secret');
      }
      secretNames.forEach((name, j) => checkSubdomain(`${at}.secretNames[${j}]`, name, 'is not a Secret name'));
    }
  });
}

/** Refuses an extra mount at, above or below one of the library's mounts of the glance-api container. */
export function checkExtraMountPaths(prop: string, mounts: GlanceExtraMount[] | undefined, library: k8s.VolumeMount[]): void {
  (mounts ?? []).forEach((mount, i) => {
    const place = normalized(mount.mountPath);
    const met = library.find(({ mountPath }) => within(place, normalized(mountPath)) || within(normalized(mountPath), place));
    if (met) {
      throw new GlanceValidationError(`${prop}[${i}].mountPath`, mount.mountPath, `meets the library's mount at ${met.mountPath}`,
        'mount it elsewhere');
    }
  });
}

/** The volumes and glance-api mounts of extraMounts, in their order. */
export function extraMountParts(mounts: GlanceExtraMount[] | undefined): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  const list = mounts ?? [];
  const name = (i: number) => `extra-${i}`;
  return {
    volumes: list.map((mount, i): k8s.Volume => {
      const secrets = mount.secretNames;
      if (secrets === undefined) return { name: name(i), configMap: { name: mount.configMapName! } };
      return secrets.length === 1 ? { name: name(i), secret: { secretName: secrets[0], defaultMode: SECRET_MODE } }
        : { name: name(i), projected: { defaultMode: SECRET_MODE, sources: secrets.map((secret) => ({ secret: { name: secret } })) } };
    }),
    mounts: list.map((mount, i) => ({ name: name(i), mountPath: normalized(mount.mountPath), readOnly: true })),
  };
}
