import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CA_DIR, CA_FILE, ResolvedTls } from './resolve';
import { SECRET_MODE } from '../pod-security';

// The CA bundle every Glance container trusts (tls.caBundleSecret), mounted as a directory, which the
// kubelet updates when the Secret changes: the next connection reads the new bundle.

const BUNDLE_FILE = CA_FILE.slice(CA_DIR.length + 1);

/** The CA bundle's volume, for every pod with a Glance container, when the deployment has one. */
export function trustVolumes(tls: ResolvedTls): k8s.Volume[] {
  if (!tls.caBundle) return [];
  return [{
    name: 'ca-bundle',
    secret: { secretName: tls.caBundle.name, defaultMode: SECRET_MODE, items: [{ key: tls.caBundle.key, path: BUNDLE_FILE }] },
  }];
}

/** The CA bundle's mount: a directory, which the kubelet updates when the Secret changes. */
export function trustMounts(tls: ResolvedTls): k8s.VolumeMount[] {
  return tls.caBundle ? [{ name: 'ca-bundle', mountPath: CA_DIR, readOnly: true }] : [];
}

/** OpenSSL's default CA file (Python's ssl, PyMySQL) and requests' (keystoneauth, swiftclient, Glance's import proxying). */
export function trustEnv(tls: ResolvedTls): k8s.EnvVar[] {
  return tls.caBundle ? [{ name: 'SSL_CERT_FILE', value: CA_FILE }, { name: 'REQUESTS_CA_BUNDLE', value: CA_FILE }] : [];
}

/** The same, as cdk8s-plus spells it for a Job's container: the mount and the env, or nothing. */
export function trustForJob(scope: Construct, tls: ResolvedTls | undefined): { mounts: kplus.VolumeMount[]; env: Record<string, kplus.EnvValue> } {
  if (!tls?.caBundle) return { mounts: [], env: {} };
  // One volume per construct, however many of its containers mount it.
  const volume = (scope.node.tryFindChild('ca-bundle') as kplus.Volume | undefined) ?? kplus.Volume.fromSecret(scope, 'ca-bundle',
    kplus.Secret.fromSecretName(scope, 'ca-bundle-secret', tls.caBundle.name),
    { defaultMode: SECRET_MODE, items: { [tls.caBundle.key]: { path: BUNDLE_FILE } } });
  const env = Object.fromEntries(trustEnv(tls).map((entry) => [entry.name, kplus.EnvValue.fromValue(entry.value!)]));
  return { mounts: [{ volume, path: CA_DIR, readOnly: true }], env };
}
