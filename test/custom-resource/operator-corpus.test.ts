/**
 * The operators' real inputs (test/fixtures/operator-corpus.yaml: every Glance CR, control plane,
 * kuttl step and kustomize rendering of the glance-operator, openstack-operator and architecture
 * repositories, written by scripts/collect-operator-corpus.ts) each deploy what the operators would
 * deploy (operator-model.ts, written from their code), or are refused for a feature that README's
 * "Bring your Glance CR" names. No input may be accepted and deploy something else, be refused for a
 * reason README does not give, or fail with anything but a validation error.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { FIXTURES, ROUTE_URL } from './cr-helpers';
import { OperatorDeployment, operatorDeployment } from './operator-model';
import { Glance, ImageBackend } from '../../lib';
import { GlanceValidationError } from '../../lib/errors';
import { TRANSPORT_URL_ENV } from '../../lib/notifications';
import { Manifest, parseIniText } from '../helpers';

interface CorpusInput { readonly source: string; readonly origin: string; readonly cr: any }

const CORPUS: CorpusInput[] = parseAllDocuments(readFileSync(join(FIXTURES, 'operator-corpus.yaml'), 'utf8')).map((d) => d.toJS());
const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
/** README's lists of what the reader refuses: "Not supported" and "Refused because the CR is incomplete". */
const REFUSALS_SECTION = README.slice(README.indexOf('**Not supported**'), README.indexOf('**TLS**, with the names the operators use'));

/**
 * Why an input may be refused: each a feature or an incompleteness README lists (`readme`, found in
 * its refusal paragraphs), recognized by the path and problem of the error.
 */
interface RefusalReason { readonly reason: string; readonly readme: string; readonly matches: (e: GlanceValidationError) => boolean }
const REFUSAL_REASONS: readonly RefusalReason[] = [
  {
    reason: 'the cinder store\'s application credential',
    readme: 'the cinder store\'s application credential',
    matches: (e) => /cinder_store_application_credential/.test(String(e.value)) && /glance_store reads from 5\.4\.0/.test(e.problem),
  },
  {
    reason: 'an API\'s own config without its stores',
    readme: 'an API\'s own `customServiceConfig` without stores',
    matches: (e) => /own customServiceConfig without its stores/.test(e.problem),
  },
  {
    reason: 'a mount for some of the APIs',
    readme: 'a mount for some of the APIs',
    matches: (e) => /a mount for some of the APIs|\(not every API\)/.test(e.problem),
  },
  {
    reason: 'web-download on some APIs only',
    readme: '`web-download` on some APIs only',
    matches: (e) => e.prop === '--web-download-hosts' && /only some APIs/.test(e.problem),
  },
  { reason: 'topologyRef', readme: 'topologyRef', matches: (e) => /topologyRef/.test(e.prop) },
  {
    reason: 'a policy of your own',
    readme: 'other `[oslo_policy]` options',
    matches: (e) => /oslo_policy|policy_file|who may do what/.test(e.prop + e.problem),
  },
  { reason: 'per-API storage', readme: 'per-API `storage`', matches: (e) => /glanceAPIs\.[^.]+\.storage/.test(e.prop) },
  {
    reason: 'a field the CRD does not have',
    readme: 'fields the CRD does not have',
    matches: (e) => /is not a field of the Glance CRD/.test(e.problem),
  },
  { reason: 'no spec (a kuttl assert or patch)', readme: 'a resource without its spec', matches: (e) => /is missing/.test(e.problem) },
  {
    reason: 'no glanceAPIs (the operator\'s placeholder)',
    readme: 'no `glanceAPIs`',
    matches: (e) => /glanceAPIs$/.test(e.prop) && /is empty/.test(e.problem),
  },
  {
    reason: 'a store without its Ceph Secret',
    readme: 'rbd without a Ceph Secret',
    matches: (e) => /Ceph|ceph/.test(e.problem + e.fix) && /extraMounts|--ceph-secret/.test(e.fix),
  },
  {
    reason: 'a several-replica file store without a share',
    readme: 'several file-store replicas without an NFS share',
    matches: (e) => /own file store|file store, \d+ replicas/.test(e.problem + String(e.value)),
  },
  { reason: 'a store type Glance does not have', readme: 'a store type Glance does not have', matches: (e) => /is not a store type/.test(e.problem) },
  {
    reason: 'a placeholder where a name goes',
    readme: 'a storage class that is no DNS-1123 subdomain, or an NFS server that is no host name',
    matches: (e) => (/storageClass$/.test(e.prop) && /DNS-1123 subdomain/.test(e.problem))
      || (/extraMounts/.test(e.prop) && /is not a host name/.test(e.problem)),
  },
  {
    reason: 'a Secret volume without secretName',
    readme: 'a Secret volume without `secretName`',
    matches: (e) => /extraMounts/.test(e.prop) && /without secretName/.test(e.problem),
  },
];

/** Whether a mount is a program that runs in the node's namespaces: a file of a ConfigMap that enters them (the cinder store's nodeTools). */
function runsOnNode(m: Manifest[], volume: any, mount: any): boolean {
  const configMap = m.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap?.name);
  return /nsenter[^\n]* --target 1 /.test(configMap?.data[mount.subPath] ?? '');
}

/**
 * The glance-api container's mounts of the kinds extraMounts give (NFS, ConfigMaps, the Ceph Secrets at /etc/ceph, the Secrets of the
 * library's extraMounts), as the model says them.
 */
function extraMountsOf(m: Manifest[], sts: Manifest, container: any): Record<string, string> {
  const mounts: Record<string, string> = {};
  for (const mount of container.volumeMounts) {
    const volume = sts.spec.template.spec.volumes.find((v: any) => v.name === mount.name) ?? {};
    // The library mounts an NFS export through a claim bound to a PersistentVolume of it.
    const claimName = volume.persistentVolumeClaim?.claimName;
    const claim = claimName && m.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === claimName);
    const nfs = volume.nfs ?? (claim && m.find((o) => o.kind === 'PersistentVolume' && o.metadata.name === claim.spec.volumeName))?.spec.nfs;
    if (nfs) {
      mounts[mount.mountPath] = `nfs:${nfs.server}:${nfs.path}`;
    } else if (volume.configMap && !runsOnNode(m, volume, mount)) {
      mounts[mount.mountPath] = `configMap:${volume.configMap.name}`;
    } else if (mount.mountPath === '/etc/ceph' || /^extra-\d+$/.test(mount.name)) {
      const secrets: string[] = volume.secret ? [volume.secret.secretName] : volume.projected.sources.map((s: any) => s.secret.name);
      mounts[mount.mountPath] = `secrets:${secrets.join('+')}`;
    }
  }
  return mounts;
}

/** What the library deployed, in the model's terms. */
function deployedOf(m: Manifest[]): Record<string, any> {
  const stsList = m.filter((o) => o.kind === 'StatefulSet');
  const services = m.filter((o) => o.kind === 'Service' && o.spec.clusterIP !== 'None');
  const cronJobs = new Map(m.filter((o) => o.kind === 'CronJob').map((c) => [c.metadata.name, c.spec.schedule]));
  const apiContainer = (sts: Manifest) => sts.spec.template.spec.containers.find((c: any) => c.name === 'glance-api');
  const env = (c: any) => Object.fromEntries((c.env ?? []).map((v: any) => [v.name, v]));
  const confOf = (sts: Manifest) => {
    const secret = m.find((o) => o.kind === 'Secret' && o.metadata.name === `${sts.metadata.name}-config`)!;
    return parseIniText(secret.stringData['00-glance.conf']);
  };
  const apis = stsList.map((sts) => {
    const claims = Object.fromEntries((sts.spec.volumeClaimTemplates ?? []).map((t: any) => [t.metadata.name, {
      size: t.spec.resources.requests.storage, ...(t.spec.storageClassName ? { storageClass: t.spec.storageClassName } : {}),
    }]));
    const tls = Object.fromEntries(sts.spec.template.spec.volumes.filter((v: any) => /^tls-(internal|public)$/.test(v.name))
      .map((v: any) => [v.name.slice(4), v.secret.secretName]));
    const name = sts.metadata.name;
    const own = sts.spec.template.spec.nodeSelector;
    const cache = claims['glance-cache'];
    const container = apiContainer(sts);
    const pod = sts.spec.template.spec;
    const volumeOf = (mount: any) => pod.volumes.find((v: any) => v.name === mount.name) ?? {};
    const mountOf = (volume: string) => container.volumeMounts.find((v: any) => v.name === volume)?.mountPath;
    const namespace = sts.metadata.namespace;
    return {
      type: sts.metadata.labels['app.kubernetes.io/component'].replace(/^api-/, ''),
      statefulSet: name,
      replicas: sts.spec.replicas,
      ...(claims.glance ? { staging: claims.glance } : {}),
      ...(cache ? {
        cache: { ...cache, prunerSchedule: cronJobs.get(`${name}-0-pruner`), cleanerSchedule: cronJobs.get(`${name}-0-cleaner`) },
      } : {}),
      claimMounts: Object.fromEntries(Object.keys(claims).map((claim) => [claim, mountOf(claim)])),
      workerSelfReferenceUrl: env(container).OS_DEFAULT__WORKER_SELF_REFERENCE_URL?.value
        .replace('$(POD_NAME)', `${name}-0`).replace('$(POD_NAMESPACE)', namespace),
      extraMounts: extraMountsOf(m, sts, container),
      probes: Object.fromEntries(['liveness', 'readiness', 'startup'].map((probe) => {
        const p = container[`${probe}Probe`];
        return [probe, [p.initialDelaySeconds ?? 0, p.timeoutSeconds, p.periodSeconds, p.failureThreshold]];
      })),
      ...(own !== undefined ? { nodeSelector: own } : {}),
      ...(apiContainer(sts).resources !== undefined ? { resources: apiContainer(sts).resources } : {}),
      imageConversion: confOf(sts).image_conversion?.output_format === 'raw',
      enabledBackends: String(confOf(sts).DEFAULT.enabled_backends).split(',').map((b: string) => b.split(':')[0]).sort(),
      importMethods: String(confOf(sts).DEFAULT.enabled_import_methods).replace(/[[\]]/g, '').split(',')
        .filter((method) => method !== 'copy-image').sort(),
      // The Secrets the pod's check reads, in order (its volumes, by index).
      configSecrets: (sts.spec.template.spec.initContainers ?? []).filter((c: any) => c.name === 'config-secrets')
        .flatMap((c: any) => c.volumeMounts.filter((mount: any) => /^\/etc\/glance\/config-secrets\/\d+$/.test(mount.mountPath)))
        .map((mount: any) => sts.spec.template.spec.volumes.find((v: any) => v.name === mount.name).secret.secretName),
      // The node's namespaces, devices and programs, where the pod reaches them at all.
      ...(pod.hostPID || container.securityContext.privileged ? {
        nodeAccess: {
          hostPID: pod.hostPID === true,
          privileged: container.securityContext.privileged === true,
          hostPaths: container.volumeMounts.filter((mount: any) => volumeOf(mount).hostPath).map((mount: any) => mount.mountPath).sort(),
          // The paths whose program runs in the node's namespaces: a file of a ConfigMap that enters them.
          onNode: container.volumeMounts.filter((mount: any) => runsOnNode(m, volumeOf(mount), mount)).map((mount: any) => mount.mountPath).sort(),
          osBrickLockPath: confOf(sts).os_brick?.lock_path,
        },
      } : {}),
      endpoints: services.filter((s) => s.spec.selector['glance.openstack.org/statefulset'] === name)
        .map((s) => {
          const which = s.metadata.labels['glance.openstack.org/endpoint'];
          return { which, service: s.metadata.name, type: s.spec.type, ...(tls[which] ? { certSecret: tls[which] } : {}) };
        }).sort((a, b) => (a.which < b.which ? -1 : 1)),
    };
  }).sort((a, b) => (a.statefulSet < b.statefulSet ? -1 : 1));
  const job = m.find((o) => o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/component'] === 'keystone-registration');
  const jobEnv = job ? env(job.spec.template.spec.containers[0]) : {};
  const containers = stsList.map(apiContainer);
  const acSecrets = [...new Set(containers.map((c) => env(c).OS_KEYSTONE_AUTHTOKEN__APPLICATION_CREDENTIAL_ID?.valueFrom?.secretKeyRef?.name))];
  const conf = stsList.length ? confOf(stsList[0]) : {};
  return {
    apis: apis as any,
    registration: { internalUrl: jobEnv.INTERNAL_URL?.value, publicUrl: jobEnv.PUBLIC_URL?.value },
    // The Job registers them in any order.
    ...(jobEnv.REGISTERED_LIMITS?.value ? { limits: jobEnv.REGISTERED_LIMITS.value.split(',').sort().join(',') } : {}),
    ...(acSecrets[0] ? { applicationCredentialSecret: acSecrets.join('+') } : {}),
    notifications: containers.some((c) => env(c)[TRANSPORT_URL_ENV] !== undefined),
    memcachedServers: (conf.keystone_authtoken?.memcached_servers ?? '').split(',').filter((s: string) => s),
  };
}

type Outcome =
  | { readonly kind: 'faithful'; readonly expected: OperatorDeployment }
  | { readonly kind: 'wrong'; readonly diffs: string[] }
  | { readonly kind: 'refused'; readonly error: GlanceValidationError; readonly reason?: string };

/** The mirror the test lets web-download fetch from, as a user of --web-download-hosts names one. */
const WEB_DOWNLOAD_HOST = 'mirror.example.com';

/** The store the test gives where the CR configures none, as the user gives one with --ceph-secret. */
const givenStore = () => ImageBackend.rbd({ cephSecretName: 'ceph-conf-files' });

function importInput(input: CorpusInput): Outcome {
  // The model reads no deployment from an input without a spec (a kuttl assert): the library refuses those.
  let expected: OperatorDeployment | undefined;
  try {
    expected = operatorDeployment(input.cr);
  } catch {
    expected = undefined;
  }
  const attempt = (backend?: ImageBackend) => {
    const chart = new Chart(new App(), 'glance', { namespace: input.cr?.metadata?.namespace ?? 'openstack' });
    Glance.fromCustomResource(chart, 'glance', input.cr, {
      database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
      keystoneAuthUrl: 'https://keystone-internal.openstack.svc:5000',
      backend,
      ...(expected?.registration.publicUrl === 'Route' ? { publicUrl: ROUTE_URL } : {}),
      // As a user gives the hosts where the operator would offer web-download.
      ...(expected?.apis.some((api) => api.importMethods.includes('web-download')) ? { webDownloadAllowedHosts: [WEB_DOWNLOAD_HOST] } : {}),
      // As a user accepts the privileged pods the operator would run for a cinder store.
      ...(expected?.apis.some((api) => api.nodeAccess) ? { allowPrivilegedCinder: true } : {}),
    });
    return Testing.synth(chart) as Manifest[];
  };
  let manifests: Manifest[];
  let storeGiven = false;
  try {
    try {
      manifests = attempt();
    } catch (e) {
      // A CR without a store of its own takes the one the user gives (the reader's default is a file store).
      const storeless = expected?.apis.every((api) => api.enabledBackends.join() === 'default_backend');
      if (!(e instanceof GlanceValidationError) || !storeless) throw e;
      try {
        manifests = attempt(givenStore());
      } catch (again) {
        // A store the CR configures elsewhere (extraMounts): its own refusal is the answer.
        throw again instanceof GlanceValidationError && /and so does a store option/.test(again.problem) ? e : again;
      }
      storeGiven = true;
    }
  } catch (e) {
    if (!(e instanceof GlanceValidationError)) throw e;
    return { kind: 'refused', error: e, reason: REFUSAL_REASONS.find((r) => r.matches(e))?.reason };
  }
  if (expected === undefined) return { kind: 'wrong', diffs: ['accepted, but the operators\' model reads no deployment from it'] };
  const got = deployedOf(manifests);
  const want: Record<string, unknown> = {
    ...expected,
    // The StatefulSet's name says the API.
    apis: expected.apis.map(({ api, ...rest }) => rest),
    registration: {
      ...expected.registration,
      publicUrl: expected.registration.publicUrl === 'Route' ? ROUTE_URL : expected.registration.publicUrl,
    },
  };
  delete want.noopUpstream;
  delete want.glanceName;
  delete want.namespace;
  if (storeGiven) {
    // The store the user gave, not the CR, decides these.
    for (const api of [...(want.apis as any[]), ...got.apis]) {
      delete api.imageConversion;
      delete api.enabledBackends;
      delete api.extraMounts['/etc/ceph'];
    }
  }
  // The library gives every container requests and limits (ephemeral storage above all); the operator none where the CR
  // gives none (README, "Bring your Glance CR"). Where the CR gives them, each it gives must be the container's.
  got.apis.forEach((api: any, i: number) => {
    const given = expected.apis[i]?.resources;
    if (!given) {delete api.resources;} else {
      api.resources = Object.fromEntries(Object.entries(given).map(([kind, values]) =>
        [kind, Object.fromEntries(Object.keys(values ?? {}).map((r) => [r, api.resources?.[kind]?.[r]]))]));
    }
  });
  const diffs = Object.keys({ ...want, ...got })
    .filter((k) => JSON.stringify((got as any)[k]) !== JSON.stringify(want[k]))
    .map((k) => `${k}: operator ${JSON.stringify(want[k])}, library ${JSON.stringify((got as any)[k])}`);
  return diffs.length ? { kind: 'wrong', diffs } : { kind: 'faithful', expected };
}

const outcomes = new Map<string, Outcome>();
/** Each input's outcome, imported once. */
function outcomeOf(input: CorpusInput): Outcome {
  if (!outcomes.has(input.source)) outcomes.set(input.source, importInput(input));
  return outcomes.get(input.source)!;
}

// The operators' samples carry fields older CRDs had: the reader drops them with a warning, as the API server drops them.
beforeAll(() => jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined));

describe.each(CORPUS.map((input) => [input.source, input] as const))('%s', (_source, input) => {
  test('deploys what the operators would, or is refused for a feature README names', () => {
    const outcome = outcomeOf(input);
    if (outcome.kind === 'wrong') throw new Error(`deploys other than the operators:\n  ${outcome.diffs.join('\n  ')}`);
    if (outcome.kind === 'refused') {
      expect({ refused: `${outcome.error.prop}: ${outcome.error.problem}`, reason: outcome.reason })
        .toEqual({ refused: expect.any(String), reason: expect.any(String) });
      expect(outcome.error.message).toMatch(/Fix: \S/);
    }
  });
});

test('each reason for a refusal is one README lists', () => {
  for (const { reason, readme } of REFUSAL_REASONS) expect({ reason, listed: REFUSALS_SECTION.includes(readme) }).toEqual({ reason, listed: true });
});

test('the totals: every input faithful or refused for a reason README gives, none wrong', () => {
  const counts: Record<string, number> = {};
  for (const input of CORPUS) {
    const outcome = outcomeOf(input);
    const key = outcome.kind === 'refused' ? `refused: ${outcome.reason ?? `no README reason: ${outcome.error.prop}: ${outcome.error.problem}`}`
      : outcome.kind;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const noop = CORPUS.filter((input) => { const o = outcomeOf(input); return o.kind === 'faithful' && o.expected.noopUpstream; }).length;
  process.stdout.write(`operator corpus: ${CORPUS.length} inputs\n${Object.entries(counts).sort().map(([k, n]) => `  ${n}\t${k}`).join('\n')}\n`
    + `  (of the faithful, ${noop} send notifications where the glance-operator at the measured commit writes noop)\n`);
  // Pinned, so that a change in what the reader accepts shows here (and in README, "Bring your Glance CR").
  expect(counts).toEqual({
    'faithful': 133,
    'refused: a field the CRD does not have': 3,
    'refused: a placeholder where a name goes': 3,
    'refused: a Secret volume without secretName': 2,
    'refused: a store without its Ceph Secret': 1,
    'refused: no glanceAPIs (the operator\'s placeholder)': 5,
    'refused: no spec (a kuttl assert or patch)': 7,
    'refused: the cinder store\'s application credential': 1,
    'refused: topologyRef': 1,
  });
  expect(noop).toBe(53);
});
