/**
 * The synthesized YAML on a real Kubernetes 1.34 cluster (scripts/cluster/up.sh): API server with
 * Pod Security admission, controllers, scheduler, kubelet and containerd, kube-proxy, CoreDNS and
 * kube-router enforcing NetworkPolicies, all in a network namespace of their own. The namespace
 * enforces Pod Security "restricted". What the tests change is what a user changes for their own
 * cluster: the image, its pull policy and the storage class; nothing else in the YAML is edited.
 *
 * Run by `npx projen test:cluster` (scripts/cluster/test.sh brings the cluster up and down). Each
 * test is one line of the table CI prints (./table-reporter.js). The tests run in order and build
 * on each other, as an operator's session would.
 */
import { execFileSync, spawnSync } from 'child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart } from 'cdk8s';
import {
  apply, applyClean, claimFolder, eventsOf, exec, filesIn, get, jobComplete, kubectl, kubectlOk, list, logs, parseYaml, podReady,
  remove, rolledOut, tagImage, warnings,
} from './cluster';
import {
  CLOUD_AC_SECRET, CLOUD_CONFIG_SECRET, CLOUD_POLICY, CLOUD_QUOTAS, CLOUD_REGION, CLOUD_USER, cacheFlow, cloudFlow, KEYSTONE_URL, NAMESPACE,
  TLS_PRECACHED_IMAGE, tlsFlow,
} from './deployments';
import { ADMIN_POD, databaseSecret, GLANCE_PASSWORD, infrastructure, OUTSIDER_NAMESPACE, scriptPod, secret, TRANSPORT_URL } from './infra';
import { CLUSTER_SITE, synthAll } from './synth-fixtures';
import { Glance, GlanceRelease } from '../../lib';
import { checkIniAssignments } from '../../lib/config-guard';
import { CONFIG_SECRETS_RULES } from '../../lib/config-secrets';
import type { CustomResourceOptions } from '../../lib/custom-resource/options';
import { readIni } from '../../lib/ini';
import { configMapVolumeCommand, configMapVolumeLayout, configMapVolumeLayoutOf } from '../sandbox/pod-sandbox';
import {
  CA_BUNDLE_KEY, SECRET_VOLUME_LAYOUT, secretVolumeCommand, secretVolumeLayout, TestCertificate, TestPki, TLS_KEY_KEY,
} from '../sandbox/tls';
import { until } from '../waiting';

const FIXTURES = join(__dirname, '..', 'fixtures', 'upgrade');
/** The earliest output the upgrade checks start from: main before the cluster e2e existed. */
const EARLIER = 'edf798c';
const GLANCE_UID = 42415;
const MIB = 1024 * 1024;
const EXAMPLES = ['image-cache-ceph', 'image-cache-nfs', 'edge-site'];

let today: Record<string, any[]>;
const earlier = (chart: string) => parseYaml(readFileSync(join(FIXTURES, EARLIER, `${chart}.k8s.yaml`), 'utf8'));

/**
 * An example as a user of this cluster applies it: its image is one built here (the examples name
 * the operator's image, from a registry this cluster cannot reach), never pulled, and its
 * ReadWriteMany class (nfs-client) is this cluster's class. Nothing else changes.
 */
function onThisCluster(objects: any[], image: string): any[] {
  const copy = JSON.parse(JSON.stringify(objects));
  for (const o of copy) {
    const pod = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
    for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
      c.image = image;
      c.imagePullPolicy = 'Never';
    }
    if (o.kind === 'PersistentVolumeClaim' && o.spec.storageClassName === 'nfs-client') o.spec.storageClassName = CLUSTER_SITE.bookworm.storageClass;
  }
  return copy;
}

/** The examples' release is 2023.1 or later: they run on Glance 30 (trixie); Glance 25 is older than they say. */
const exampleOnCluster = (objects: any[]) => onThisCluster(objects, CLUSTER_SITE.trixie.image);

const statefulSetsOf = (objects: any[]) => objects.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name as string);
const jobsOf = (objects: any[]) => objects.filter((o) => o.kind === 'Job').map((o) => o.metadata.name as string);
const dbSyncOf = (objects: any[]) => jobsOf(objects).find((name) => name.includes('-db-sync'))!;

/** Every StatefulSet rolled out (every replica Ready with the applied template) and db-sync complete. */
async function deployed(objects: any[]): Promise<void> {
  await jobComplete(dbSyncOf(objects), NAMESPACE);
  for (const sts of statefulSetsOf(objects)) await rolledOut(sts, NAMESPACE);
}

// ---- The admin's shell: README's commands, typed in a pod of the namespace ----

const host = (sts: string, n: number) => `${sts}-${n}.${sts}.${NAMESPACE}.svc`;

async function inAdminPod(script: string): Promise<string> {
  const run = await exec(ADMIN_POD, NAMESPACE, ['bash', '-euc', script]);
  if (run.code !== 0) throw new Error(`${ADMIN_POD}: ${script}\nexited ${run.code}:\n${run.stderr}${run.stdout}`);
  return run.stdout;
}

/** Replica N's own URL, or without a replica the internal Service's (`<name>-<api>`, the StatefulSet's name without its role). */
const imageUrl = (sts: string, replica?: number) =>
  `http://${replica === undefined ? `${sts.replace(/-single$/, '')}.${NAMESPACE}.svc` : host(sts, replica)}:9292`;

/** `glance --os-image-url http://<replica>:9292 ...`, README's per-replica form; the internal Service without a replica. */
async function glance(sts: string, replica: number | undefined, ...args: string[]): Promise<string> {
  return inAdminPod(`glance --os-image-url ${imageUrl(sts, replica)} ${args.map((a) => `'${a}'`).join(' ')}`);
}

/** The cached image files of a cache folder (named by image id; the sqlite driver's cache.db is not one). */
function imageFiles(folder: string): Record<string, number> {
  return Object.fromEntries(Object.entries(filesIn(folder)).filter(([name]) => /^[0-9a-f-]{36}$/.test(name)));
}

async function cachedImages(sts: string, replica: number): Promise<string[]> {
  const out = await glance(sts, replica, 'cache-list');
  return out.split('\n').map((line) => line.split('|').map((c) => c.trim())).filter((cells) => cells[2] === 'cached').map((cells) => cells[1]);
}

/** A raw image of random bytes, uploaded through the internal Service; its id. */
async function createImage(sts: string, name: string, bytes: number): Promise<string> {
  const out = await inAdminPod(`head -c ${bytes} /dev/urandom >/tmp/${name} && glance --os-image-url ${imageUrl(sts)} `
    + `image-create --name ${name} --disk-format raw --container-format bare --file /tmp/${name} && rm /tmp/${name}`);
  return imageIdIn(out);
}

/** The id in the table `glance image-create` prints. */
function imageIdIn(table: string): string {
  const match = /^\|\s*id\s*\|\s*([0-9a-f-]{36})\s*\|/m.exec(table);
  if (!match) throw new Error(`no image id in:\n${table}`);
  return match[1];
}

/** Runs a replica's cache CronJob now, as README tells an operator: kubectl create job --from=cronjob/...; its pod. */
let runs = 0;
/**
 * Suspends a deployment's cache CronJobs (pruner, cleaner, precache), which its tests run by hand (runCronJob): on their
 * schedules one could run between a step and its check. CI met both: at aafe693 a precache run (every 15 minutes) queued a
 * deleted image again; at 8e15844 replica 1's cleaner (at :00 and :30) removed the orphan step 8 checks for before the test ran it.
 */
async function suspendCacheCronJobs(objects: any[]): Promise<void> {
  for (const cronJob of objects.filter((o) => o.kind === 'CronJob' && /-(pruner|cleaner|precache)$/.test(o.metadata.name))) {
    await kubectlOk(['patch', 'cronjob', cronJob.metadata.name, '-n', NAMESPACE, '--type', 'merge', '-p', '{"spec":{"suspend":true}}']);
  }
}

async function runCronJob(cronJob: string): Promise<{ pod: any; output: string }> {
  const job = `${cronJob.slice(0, 40)}-run${++runs}`;
  await kubectlOk(['create', 'job', `--from=cronjob/${cronJob}`, job, '-n', NAMESPACE]);
  await jobComplete(job, NAMESPACE);
  const [pod] = await list('pods', NAMESPACE, `job-name=${job}`);
  return { pod, output: await logs(`job/${job}`, NAMESPACE) };
}

/** An HTTP request from a pod, retried while a new pod's address is not yet in kube-router's sets: the status, or "refused". */
async function httpFrom(pod: string, namespace: string, url: string): Promise<string> {
  const run = await exec(pod, namespace, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--connect-timeout', '3', url]);
  return run.code === 0 ? run.stdout.trim() : 'refused';
}

/**
 * Every replica, and the Service a test calls through, answer the admin pod. A rolled-out
 * StatefulSet is not yet reachable everywhere: kube-proxy and kube-router program a new pod's
 * address a moment after it is Ready (a request then meets "No route to host"), as a user's
 * first request after a rollout may.
 */
async function answersAdminPod(sts: string, replicas: number, serviceUrl: string): Promise<void> {
  for (const url of [...Array.from({ length: replicas }, (_, n) => `http://${host(sts, n)}:9292`), serviceUrl]) {
    await until(`${url} answers the admin pod`, async () => (await httpFrom(ADMIN_POD, NAMESPACE, `${url}/healthcheck`)) === '200');
  }
}

// ---- The run ----

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), 'cluster-e2e-'));
  try {
    synthAll(out);
    today = Object.fromEntries([...EXAMPLES, 'flow', 'flow30', 'nfs-export'].map((chart) => [chart, parseYaml(readFileSync(join(out,
      `${chart}.k8s.yaml`), 'utf8'))]));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  // The namespaces first: a server-side dry run of a namespaced object needs its namespace to exist.
  const infra = infrastructure(CLUSTER_SITE.bookworm.image, execFileSync('ceph-authtool', ['--gen-print-key'], { encoding: 'utf8' }).trim());
  await applyClean(infra.filter((o) => o.kind === 'Namespace'));
  await applyClean(infra.filter((o) => o.kind !== 'Namespace'));
  for (const pod of ['mariadb', 'keystone', 'rabbitmq', 'memcached', ADMIN_POD]) await podReady(pod, NAMESPACE);
  await podReady('outsider', OUTSIDER_NAMESPACE);
});

describe('an NFS export under restricted', () => {
  test(`${EARLIER}'s inline nfs volume: the API server warns and the StatefulSet controller creates no pod (the failure before)`, async () => {
    const old = earlier('nfs-export');
    const dryRun = await apply(old, { dryRun: true });
    expect(dryRun.code).toBe(0);
    expect(warnings(dryRun).join('\n')).toMatch(new RegExp(String.raw`would violate PodSecurity "restricted:latest": restricted volume types ` +
      String.raw`\(volume "images" uses restricted volume type "nfs"\)`));
    await apply(old);
    await until('the StatefulSet controller reports the refused pod', async () =>
      (await eventsOf('StatefulSet', 'nfsx-default-single', NAMESPACE))
        .some((e) => /^FailedCreate: .*violates PodSecurity "restricted:latest".*nfs/.test(e)),
    { everyMs: 1000 });
    expect(await list('pods', NAMESPACE, 'statefulset.kubernetes.io/pod-name=nfsx-default-single-0')).toEqual([]);
    await remove(old, NAMESPACE);
  });

  test('today: admitted with no warning, the volume bound to nfsx-images, every pod created and waiting only for the mount', async () => {
    const objects = today['nfs-export'];
    await applyClean(objects);
    await until('nfsx-images is bound to its volume', async () => (await get('pvc', 'nfsx-images', NAMESPACE))?.status?.phase === 'Bound',
      { everyMs: 500 });
    expect((await get('pvc', 'nfsx-images', NAMESPACE)).spec.volumeName).toBe('openstack-nfsx-images');
    expect((await get('pv', 'openstack-nfsx-images')).spec.nfs).toEqual({ server: '10.244.0.250', path: '/exports/glance' });
    for (const n of [0, 1]) {
      await until(`pod nfsx-default-single-${n} exists`, async () => (await get('pod', `nfsx-default-single-${n}`, NAMESPACE)) !== undefined,
        { everyMs: 1000 });
    }
    // This machine's kernel has no NFS client and nobody serves the export: the kubelet tries the mount.
    await until('the kubelet tries the NFS mount', async () =>
      (await eventsOf('Pod', 'nfsx-default-single-0', NAMESPACE)).some((e) => e.startsWith('FailedMount:')), { everyMs: 1000 });
    expect((await eventsOf('StatefulSet', 'nfsx-default-single', NAMESPACE)).filter((e) => e.startsWith('FailedCreate'))).toEqual([]);
    await remove(objects, NAMESPACE);
    await kubectl(['delete', 'pv', 'openstack-nfsx-images', '--ignore-not-found']);
  });
});

describe('every example, from the earlier output to today\'s', () => {
  // The rbd examples' Glance reads its Ceph cluster's fsid when it starts.
  beforeAll(() => podReady('ceph-mon', NAMESPACE));

  test.each(EXAMPLES)(`%s: ${EARLIER}'s output applied and Ready under restricted, then today's over it: ` +
    'admitted, no warning, Ready, db-sync run again', async (example) => {
    const old = exampleOnCluster(earlier(example));
    await applyClean(old);
    await deployed(old);
    const now = exampleOnCluster(today[example]);
    await applyClean(now);
    await deployed(now);
    // Claims with the documented names, bound; every pod of every StatefulSet Ready.
    for (const sts of statefulSetsOf(now)) {
      const replicas = now.find((o) => o.kind === 'StatefulSet' && o.metadata.name === sts).spec.replicas;
      for (let n = 0; n < replicas; n++) {
        const pod = await get('pod', `${sts}-${n}`, NAMESPACE);
        expect(pod.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
        expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
        for (const claim of [`glance-${sts}-${n}`, `glance-cache-${sts}-${n}`]) {
          expect((await get('pvc', claim, NAMESPACE))?.status.phase).toBe('Bound');
        }
      }
    }
    await remove([...now, ...old.filter((o) => o.kind === 'Job')], NAMESPACE);
  });
});

describe('the image cache of a Glance 25 deployment, run as README tells an operator', () => {
  const STS = 'flow-default-single';
  let objects: any[];
  let id: string;

  beforeAll(async () => {
    objects = today.flow;
    await applyClean(objects);
    await deployed(objects);
    await suspendCacheCronJobs(objects);
  });

  test('per-replica names resolve through CoreDNS in the admin pod and reach each replica', async () => {
    for (const n of [0, 1]) {
      const address = (await get('pod', `${STS}-${n}`, NAMESPACE)).status.podIP;
      expect((await inAdminPod(`getent hosts ${host(STS, n)}`)).split(/\s+/)[0]).toBe(address);
      await until(`replica ${n} answers the admin pod`, async () => (await httpFrom(ADMIN_POD, NAMESPACE, `http://${host(STS, n)}:9292/healthcheck`)) === '200');
    }
  });

  test('step 1: an image created through the internal Service', async () => {
    id = await createImage(STS, 'step-1', 4 * MIB);
    expect(await glance(STS, undefined, 'image-show', id)).toMatch(/\|\s*status\s*\|\s*active\s*\|/);
  });

  test('steps 2 and 3: cache-queue on replica 0 caches it there and not on replica 1', async () => {
    await glance(STS, 0, 'cache-queue', id);
    await until('replica 0 lists the image', async () => (await cachedImages(STS, 0)).includes(id), { everyMs: 1000 });
    expect(await cachedImages(STS, 1)).toEqual([]);
    expect(Object.keys(filesIn(await claimFolder(`glance-cache-${STS}-0`, NAMESPACE)))).toContain(id);
  });

  test('steps 4 and 5: cache-queue on replica 1 caches it there too', async () => {
    await glance(STS, 1, 'cache-queue', id);
    await until('replica 1 lists the image', async () => (await cachedImages(STS, 1)).includes(id), { everyMs: 1000 });
  });

  test('steps 6 and 7: cache-delete on replica 0 leaves it cached on replica 1', async () => {
    await glance(STS, 0, 'cache-delete', id);
    await until('replica 0 no longer lists the image', async () => !(await cachedImages(STS, 0)).includes(id), { everyMs: 1000 });
    expect(await cachedImages(STS, 1)).toEqual([id]);
  });

  test('a replica\'s pod deleted (kubectl delete pod): the cache survives on its claim', async () => {
    const before = (await get('pod', `${STS}-1`, NAMESPACE)).metadata.uid;
    await kubectlOk(['delete', 'pod', `${STS}-1`, '-n', NAMESPACE]);
    await until('replica 1 is a new pod', async () => (await get('pod', `${STS}-1`, NAMESPACE))?.metadata.uid !== before, { everyMs: 1000 });
    await rolledOut(STS, NAMESPACE);
    await until('replica 1 answers again', async () => (await httpFrom(ADMIN_POD, NAMESPACE, `http://${host(STS, 1)}:9292/healthcheck`)) === '200');
    expect(await cachedImages(STS, 1)).toEqual([id]);
  });

  test('step 8 and orphan removal: image-delete; the serving replica drops it at once, the other at its cleaner run', async () => {
    await glance(STS, 0, 'image-delete', id);
    expect(await cachedImages(STS, 0)).toEqual([]);
    // Glance purges only the replica that served the delete: replica 1 keeps an orphan...
    expect(await cachedImages(STS, 1)).toEqual([id]);
    // ...until its cleaner CronJob runs, pinned to its replica's node and claim.
    const { pod, output } = await runCronJob(`${STS}-1-cleaner`);
    expect(output).toContain(`removed 1 orphan(s) of 1 cached and 0 queued image(s): ${id}`);
    expect(pod.spec.nodeName).toBe((await get('pod', `${STS}-1`, NAMESPACE)).spec.nodeName);
    expect(pod.spec.volumes).toContainEqual(expect.objectContaining({ persistentVolumeClaim: { claimName: `glance-cache-${STS}-1` } }));
    expect(await cachedImages(STS, 1)).toEqual([]);
  });

  test('the pruner CronJob brings replica 0\'s cache under image_cache_max_size, least recently used first', async () => {
    const max = 0.85 * 128 * MIB;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await createImage(STS, `prune-${i}`, 48 * MIB));
    for (const queued of ids) {
      await glance(STS, 0, 'cache-queue', queued);
      await until(`${queued} is cached on replica 0`, async () => (await cachedImages(STS, 0)).includes(queued), { everyMs: 1000 });
    }
    // Image 0 read through replica 0's cache: the most recently used; image 1 is the least.
    await inAdminPod(`glance --os-image-url ${imageUrl(STS, 0)} image-download ${ids[0]} --file /tmp/read && rm /tmp/read`);
    const folder = await claimFolder(`glance-cache-${STS}-0`, NAMESPACE);
    const total = (files: Record<string, number>) => Object.values(files).reduce((a, b) => a + b, 0);
    expect(total(imageFiles(folder))).toBeGreaterThan(max);
    const { pod } = await runCronJob(`${STS}-0-pruner`);
    expect(pod.spec.volumes).toContainEqual(expect.objectContaining({ persistentVolumeClaim: { claimName: `glance-cache-${STS}-0` } }));
    const after = imageFiles(folder);
    expect(total(after)).toBeLessThanOrEqual(max);
    expect(Object.keys(after).sort()).toEqual([ids[0], ids[2]].sort());
    for (const image of ids) await glance(STS, undefined, 'image-delete', image);
  });

  test('the cleaner CronJob removes stalled and invalid files from replica 1\'s claim and keeps fresh incomplete ones', async () => {
    const folder = await claimFolder(`glance-cache-${STS}-1`, NAMESPACE);
    const stalled = join(folder, 'incomplete', '11111111-1111-1111-1111-111111111111');
    const fresh = join(folder, 'incomplete', '22222222-2222-2222-2222-222222222222');
    const invalid = join(folder, 'invalid', '33333333-3333-3333-3333-333333333333');
    for (const file of [stalled, fresh, invalid]) {
      writeFileSync(file, Buffer.alloc(4096, 1));
      chownSync(file, GLANCE_UID, GLANCE_UID);
    }
    const old = Date.now() / 1000 - 86400 - 600;
    utimesSync(stalled, old, old);
    await runCronJob(`${STS}-1-cleaner`);
    expect([stalled, invalid, fresh].map((f) => { try { readFileSync(f); return true; } catch { return false; } })).toEqual([false, false, true]);
    rmSync(fresh);
  });

  test('a replica killed mid-download keeps no partial image: after its restart the download is whole and then cached', async () => {
    const image = await createImage(STS, 'killed', 48 * MIB);
    const checksum = /\|\s*checksum\s*\|\s*([0-9a-f]{32})\s*\|/.exec(await glance(STS, undefined, 'image-show', image))![1];
    // A slow reader through replica 1 (the cache middleware writes incomplete/<id> as it serves)...
    const reader = exec(ADMIN_POD, NAMESPACE, ['bash', '-c',
      `T=$(openstack token issue -f value -c id) && curl -s --limit-rate 4M -H "X-Auth-Token: $T" -o /tmp/partial http://${host(STS, 1)}:9292/v2/images/${image}/file; echo "curl $?"`]);
    const folder = await claimFolder(`glance-cache-${STS}-1`, NAMESPACE);
    await until('replica 1 is caching the image', () => Object.keys(filesIn(join(folder, 'incomplete'))).includes(image), { everyMs: 200 });
    // ...and the replica's pod killed under it.
    await kubectlOk(['delete', 'pod', `${STS}-1`, '-n', NAMESPACE, '--grace-period=0', '--force']);
    await rolledOut(STS, NAMESPACE);
    // A connection to a killed pod gets no reset: the reader waits for ever unless stopped.
    await inAdminPod('pkill -x curl || true');
    expect((await reader).stdout).not.toMatch(/curl 0\b/);
    await until('replica 1 answers again', async () => (await httpFrom(ADMIN_POD, NAMESPACE, `http://${host(STS, 1)}:9292/healthcheck`)) === '200');
    expect(await cachedImages(STS, 1)).not.toContain(image);
    const md5 = (await inAdminPod(`glance --os-image-url ${imageUrl(STS, 1)} image-download ${image} --file /tmp/whole` +
      ' && md5sum /tmp/whole && rm /tmp/whole')).split(' ')[0];
    expect(md5).toBe(checksum);
    await until('replica 1 caches the whole image', async () => (await cachedImages(STS, 1)).includes(image), { everyMs: 1000 });
    expect(filesIn(folder)[image]).toBe(48 * MIB);
    await glance(STS, undefined, 'image-delete', image);
  });

  /** The same image under a new name: what a user's image bump looks like to Kubernetes. */
  const NEW_IMAGE = { ...CLUSTER_SITE.bookworm, image: `${CLUSTER_SITE.bookworm.image}-b` };

  describe('NetworkPolicy, enforced by kube-router', () => {
    test('allowed: the admin pod and Keystone\'s pod in the namespace reach every replica on 9292', async () => {
      for (const from of [ADMIN_POD, 'keystone']) {
        for (const n of [0, 1]) {
          await until(`${from} reaches replica ${n}`, async () => (await httpFrom(from, NAMESPACE, `http://${host(STS, n)}:9292/healthcheck`)) === '200');
        }
      }
    });

    test(`refused: a pod in another namespace (${OUTSIDER_NAMESPACE}) reaches Keystone but not a replica`, async () => {
      await until('the outsider reaches Keystone (the network works)', async () =>
        (await httpFrom('outsider', OUTSIDER_NAMESPACE, `http://keystone-internal.${NAMESPACE}.svc:5000/v3`)) === '200');
      for (const n of [0, 1]) {
        const address = (await get('pod', `${STS}-${n}`, NAMESPACE)).status.podIP;
        for (let attempt = 0; attempt < 3; attempt++) expect(await httpFrom('outsider', OUTSIDER_NAMESPACE, `http://${address}:9292/healthcheck`)).toBe('refused');
      }
    });

    test('refused: the cache jobs and the database jobs accept no connection; a pod without their labels does', async () => {
      const labelsOf = (name: string) =>
        objects.find((o) => o.kind === 'CronJob' && o.metadata.name === name).spec.jobTemplate.spec.template.metadata.labels;
      const listener = (name: string, labels: Record<string, string>) =>
        scriptPod(name, NAMESPACE, CLUSTER_SITE.bookworm.image, 'cd /tmp && exec python3 -m http.server 8080', { labels, port: 8080 });
      const pods = [
        listener('as-cache-job', labelsOf(`${STS}-0-pruner`)),
        listener('as-db-job', labelsOf('flow-db-purge')),
        listener('unlabelled', {}),
      ];
      await applyClean(pods);
      for (const pod of pods) await podReady(pod.metadata.name, NAMESPACE);
      const url = async (name: string) => `http://${(await get('pod', name, NAMESPACE)).status.podIP}:8080/`;
      await until('the unlabelled listener is reachable', async () => (await httpFrom(ADMIN_POD, NAMESPACE, await url('unlabelled'))) === '200');
      for (const name of ['as-cache-job', 'as-db-job']) {
        for (let attempt = 0; attempt < 3; attempt++) expect(await httpFrom(ADMIN_POD, NAMESPACE, await url(name))).toBe('refused');
      }
      await kubectl(['delete', 'pod', '-n', NAMESPACE, '--wait=false', ...pods.map((p) => p.metadata.name)]);
    });
  });

  test(`db-sync: ${EARLIER}'s Job, applied again with a new image, is refused as immutable (the failure before)`, async () => {
    await remove(objects, NAMESPACE);
    const old = earlier('flow');
    await applyClean(old);
    await deployed(old);
    tagImage(CLUSTER_SITE.bookworm.image, NEW_IMAGE.image);
    // The earlier library named the Job the same whatever its template: the new image, as that library synthesized it.
    const bumped = onThisCluster(old, NEW_IMAGE.image);
    const run = await apply(bumped);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/The Job "flow-db-sync" is invalid: spec\.template: Invalid value: .*: field is immutable/);
  });

  test('db-sync: today\'s output over it, with the new image: a new Job that runs db_sync, every replica on the new image', async () => {
    // The user's change: the image prop, synthesized again.
    const now = parseYaml(synthChart((a) => cacheFlow(a, 'flow', GlanceRelease.ZED, NEW_IMAGE)));
    await applyClean(now);
    await deployed(now);
    expect(dbSyncOf(now)).toMatch(/^flow-db-sync-[0-9a-f]{8}$/);
    expect(dbSyncOf(now)).not.toBe(dbSyncOf(today.flow));
    const pod = await get('pod', `${STS}-0`, NAMESPACE);
    expect(pod.spec.containers[0].image).toBe(NEW_IMAGE.image);
    objects = now;
  });

  test('storageRequest raised: a plain apply is refused (volumeClaimTemplates are immutable); README\'s procedure applies it, claims and data kept',
    async () => {
      const raised = parseYaml(synthChart((a) => cacheFlow(a, 'flow', GlanceRelease.ZED, NEW_IMAGE, '2Gi')));
      const refused = await apply(raised);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(new RegExp(String.raw`The StatefulSet "flow-default-single" is invalid: ` +
      String.raw`spec: Forbidden: updates to statefulset spec for fields other than`));
      const marker = join(await claimFolder(`glance-${STS}-0`, NAMESPACE), 'kept');
      writeFileSync(marker, 'still here');
      // README, Upgrading: delete the StatefulSet but not its pods or claims, then apply.
      await kubectlOk(['delete', 'statefulset', STS, '-n', NAMESPACE, '--cascade=orphan']);
      await applyClean(raised);
      await deployed(raised);
      const cap = (o: any[]) =>
        /image_size_cap = (\d+)/.exec(o.find((x) => x.kind === 'Secret' && x.metadata.name === `${STS}-config`).stringData['00-glance.conf'])![1];
      expect(Number(cap(raised))).toBeGreaterThan(Number(cap(objects)));
      const conf = await exec(`${STS}-0`, NAMESPACE, ['cat', '/etc/glance/glance.conf.d/00-glance.conf']);
      expect(conf.stdout).toContain(`image_size_cap = ${cap(raised)}`);
      expect(readFileSync(marker, 'utf8')).toBe('still here');
      objects = raised;
    });

  // Its pods' CPU requests free for the next deployment: the node has two cores.
  afterAll(() => remove(objects, NAMESPACE));
});

describe('the image cache of a Glance 30 deployment', () => {
  const STS = 'flow30-default-single';

  // today is synthesized in the top-level beforeAll: read it when the tests run, not when they are collected.
  afterAll(() => remove(today.flow30, NAMESPACE));

  test('applied and Ready; cache-queue on each replica, cache-delete on one, image-delete and the other\'s cleaner', async () => {
    const objects = today.flow30;
    await applyClean(objects);
    await deployed(objects);
    await suspendCacheCronJobs(objects);
    await answersAdminPod(STS, 2, imageUrl(STS));
    const id = await createImage(STS, 'flow30', 4 * MIB);
    for (const n of [0, 1]) {
      await glance(STS, n, 'cache-queue', id);
      await until(`replica ${n} lists the image`, async () => (await cachedImages(STS, n)).includes(id), { everyMs: 1000 });
    }
    await glance(STS, 0, 'cache-delete', id);
    await until('replica 0 no longer lists it', async () => !(await cachedImages(STS, 0)).includes(id), { everyMs: 1000 });
    expect(await cachedImages(STS, 1)).toEqual([id]);
    await glance(STS, 0, 'image-delete', id);
    const { output } = await runCronJob(`${STS}-1-cleaner`);
    expect(output).toContain(`removed 1 orphan(s) of 1 cached and 0 queued image(s): ${id}`);
    expect(await cachedImages(STS, 1)).toEqual([]);
  });
});

describe('HTTPS on every endpoint: certificates from Secrets, rotated in place', () => {
  const STS = 'flowtls-default-single';
  const CA_FILE = '/tmp/tls-ca.pem';
  const INTERNAL = `flowtls-default.${NAMESPACE}.svc`;
  const PUBLIC = `flowtls-default-public.${NAMESPACE}.svc`;
  const pki = new TestPki();
  let objects: any[];
  let certificates: any[];
  /** The certificate each Certificate's Secret holds now, by Certificate name. */
  const issued: Record<string, TestCertificate> = {};

  const tlsSecret = (name: string, data: Record<string, string>) => ({ ...secret(name, NAMESPACE, data), type: 'kubernetes.io/tls' });
  const certificateNamed = (name: string) => certificates.find((c) => c.metadata.name === name);
  /** What cert-manager does for a Certificate: a key and a certificate for its dnsNames, in its secretName. */
  function issue(certificate: any, label: string): any {
    const cert = pki.issue(`${certificate.metadata.name}-${label}`, { dnsNames: certificate.spec.dnsNames });
    issued[certificate.metadata.name] = cert;
    return tlsSecret(certificate.spec.secretName, pki.secretData(cert));
  }
  /**
   * The SHA-256 fingerprint of the certificate a host serves on 9292, to `openssl s_client` in the admin pod sending its
   * name by SNI and verifying the chain (the CA bundle) and the name, failing on an error; or what failed.
   */
  async function servedTo(name: string): Promise<string> {
    const out = await inAdminPod(`{ openssl s_client -connect ${name}:9292 -servername ${name} -verify_hostname ${name} -verify_return_error `
      + `-CAfile ${CA_FILE} </dev/null 2>/tmp/s_client.err || true; } | openssl x509 -noout -fingerprint -sha256 2>/dev/null `
      + '|| echo "handshake failed: $(grep -m1 -i error /tmp/s_client.err)"');
    return /Fingerprint=([0-9A-F:]+)/.exec(out)?.[1] ?? out.trim();
  }
  const podState = async (n: number) => {
    const pod = await get('pod', `${STS}-${n}`, NAMESPACE);
    return { uid: pod.metadata.uid, restarts: pod.status.containerStatuses.map((c: any) => `${c.name}:${c.restartCount}`).sort() };
  };
  const httpdLog = async (n: number) => kubectlOk(['logs', `${STS}-${n}`, '-c', 'glance-httpd', '-n', NAMESPACE]);
  const httpsGlance = (url: string, ...args: string[]) => inAdminPod(`glance --os-cacert ${CA_FILE} --os-image-url ${url} ${args.join(' ')}`);
  const replicaUrl = (n: number) => `https://${host(STS, n)}:9292`;

  beforeAll(async () => {
    objects = parseYaml(synthChart((a) => tlsFlow(a, CLUSTER_SITE.bookworm)));
    certificates = objects.filter((o) => o.kind === 'Certificate');
    // cert-manager's own CRD (crds/cert-manager/, v1.21.1): the API server validates the Certificates against it.
    await kubectlOk(['apply', '-f', join(__dirname, '..', '..', 'crds', 'cert-manager', 'certificates.yaml')]);
    // (kubectl wait fails on a CRD whose status has no conditions yet.)
    await until('the Certificate CRD is established', async () => ((await get('crd', 'certificates.cert-manager.io'))?.status?.conditions ?? [])
      .some((c: any) => c.type === 'Established' && c.status === 'True'), { everyMs: 500 });
    await applyClean(objects);
    // cert-manager's controller is not on this machine's Go proxy: the test issues what each Certificate asks for.
    await applyClean([
      secret('combined-ca-bundle', NAMESPACE, { [CA_BUNDLE_KEY]: pki.caBundle() }),
      ...certificates.map((c) => issue(c, 'first')),
    ]);
    await deployed(objects);
    await exec(ADMIN_POD, NAMESPACE, ['bash', '-c', `printf %s "$1" >${CA_FILE}`, '_', pki.caBundle()]);
  });

  afterAll(async () => {
    await remove(objects, NAMESPACE);
    await kubectl(['delete', 'secret', '-n', NAMESPACE, '--ignore-not-found', 'combined-ca-bundle', ...certificates.map((c) => c.spec.secretName)]);
    pki.remove();
  });

  test('admitted with its Certificates, every replica Ready through HTTPS probes, answering HTTPS only, glance-api out of reach', async () => {
    expect(certificates.map((c) => c.metadata.name).sort()).toEqual(['flowtls-default-internal-svc', 'flowtls-default-public-svc']);
    for (const c of certificates) expect((await get('certificate', c.metadata.name, NAMESPACE))?.spec.secretName).toBe(c.spec.secretName);
    for (const n of [0, 1]) {
      const pod = await get('pod', `${STS}-${n}`, NAMESPACE);
      const api = pod.spec.containers.find((c: any) => c.readinessProbe);
      expect(api.readinessProbe.httpGet).toEqual(expect.objectContaining({ scheme: 'HTTPS', port: 9292 }));
      expect(pod.status.containerStatuses.every((c: any) => c.ready && c.restartCount === 0)).toBe(true);
      // The certificate volume as the real kubelet lays it out: as the pod sandbox of the e2e does.
      const layout = await kubectlOk(['exec', `${STS}-${n}`, '-c', 'glance-httpd', '-n', NAMESPACE, '--',
        ...secretVolumeCommand('/etc/glance/tls/internal')]);
      expect(secretVolumeLayout(layout)).toEqual(SECRET_VOLUME_LAYOUT);
      await until(`replica ${n} answers HTTPS`, async () =>
        (await inAdminPod(`curl -s -o /dev/null -w %{http_code} --cacert ${CA_FILE} ${replicaUrl(n)}/healthcheck || true`)) === '200');
      // Plain HTTP on 9292 gets Apache's 400, and glance-api's own port is bound to the pod's loopback only.
      expect(await httpFrom(ADMIN_POD, NAMESPACE, `http://${host(STS, n)}:9292/healthcheck`)).toBe('400');
      expect(await httpFrom(ADMIN_POD, NAMESPACE, `http://${pod.status.podIP}:9293/healthcheck`)).toBe('refused');
    }
  });

  test('by SNI (openssl s_client -verify_return_error): each replica and the internal Service serve the internal certificate, the public Service the '
    + 'public one', async () => {
    const internal = issued['flowtls-default-internal-svc'].fingerprint;
    for (const n of [0, 1]) expect(await servedTo(host(STS, n))).toBe(internal);
    expect(await servedTo(INTERNAL)).toBe(internal);
    expect(await servedTo(PUBLIC)).toBe(issued['flowtls-default-public-svc'].fingerprint);
  });

  test('the first-run precache Job waited for the replicas to answer, then reached each by its own name over HTTPS, trusting the CA bundle',
    async () => {
      const job = objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith(`${STS}-precache-`)).metadata.name;
      await jobComplete(job, NAMESPACE);
      // Applied with db-sync, it finds the API healthy but answering 500 until the tables exist: it waits, no pod fails.
      expect((await get('job', job, NAMESPACE)).status.failed).toBeUndefined();
      const output = await logs(`job/${job}`, NAMESPACE);
      console.log(`cluster: the first-run precache Job waited for db-sync: ${/is db-sync still running/.test(output) ? 'yes' : 'no'}`);
      for (const n of [0, 1]) {
        expect(output).toContain(`${replicaUrl(n)}: queued 0, already cached or queued 0, skipped 1: ${TLS_PRECACHED_IMAGE} (not found), failed 0`);
      }
      // Before anyone uploaded it: nothing to wait for, and not a failure.
      expect(output).toContain('precache: warm: 0 image(s) cached on 0 replica(s)');
    });

  test('README\'s cache commands over HTTPS (--os-cacert), the precache CronJobs, the cleaner\'s orphan removal and the pruner', async () => {
    await suspendCacheCronJobs(objects);
    const created = await httpsGlance(`https://${INTERNAL}:9292`, 'image-create', '--name', TLS_PRECACHED_IMAGE, '--disk-format', 'raw',
      '--container-format', 'bare', '--file', '/etc/hostname');
    const id = imageIdIn(created);
    for (const n of [0, 1]) {
      const { output } = await runCronJob(`${STS}-${n}-precache`);
      expect(output).toContain(`${replicaUrl(n)}: queued 1 (${id}), already cached or queued 0, skipped 0, failed 0`);
      await until(`replica ${n} caches the image`, async () => (await httpsGlance(replicaUrl(n), 'cache-list')).includes(id), { everyMs: 1000 });
    }
    await httpsGlance(replicaUrl(0), 'cache-delete', id);
    await until('replica 0 no longer lists it', async () => !(await httpsGlance(replicaUrl(0), 'cache-list')).includes(id), { everyMs: 1000 });
    expect(await httpsGlance(replicaUrl(1), 'cache-list')).toContain(id);
    // Step 8 over HTTPS, and the orphan on replica 1 removed by its cleaner; the pruner runs on replica 0.
    await httpsGlance(replicaUrl(0), 'image-delete', id);
    expect((await runCronJob(`${STS}-1-cleaner`)).output).toContain(`removed 1 orphan(s) of 1 cached and 0 queued image(s): ${id}`);
    expect(await httpsGlance(replicaUrl(1), 'cache-list')).not.toContain(id);
    expect((await runCronJob(`${STS}-0-pruner`)).pod.status.phase).toBe('Succeeded');
    // httpd's access log reaches the container's log (through its FIFOs) with the requests of the commands.
    expect(await httpdLog(0)).toMatch(new RegExp(`"DELETE /v2/cache/${id} HTTP/1.1" 204`));
    expect(await httpdLog(1)).toMatch(/"GET \/healthcheck HTTP\/1.1" 200/);
  });

  test('the registration Job lists Glance in Keystone\'s catalog with its https endpoints: the admin\'s openstack CLI finds it there', async () => {
    const job = jobsOf(objects).find((name) => /^flowtls-keystone-[0-9a-f]{8}$/.test(name))!;
    await jobComplete(job, NAMESPACE);
    expect(await logs(`job/${job}`, NAMESPACE)).toMatch(/glance-keystone-register: \d+ change\(s\)/);
    const catalog = JSON.parse(await inAdminPod('openstack catalog show image -f json'));
    expect([catalog.name, catalog.type]).toEqual(['glance', 'image']);
    const endpoints = JSON.stringify(catalog.endpoints);
    expect(endpoints).toContain(`https://${INTERNAL}:9292`);
    expect(endpoints).toContain(`https://${PUBLIC}:9292`);
    // No image URL given: the CLI takes the internal endpoint from the catalog, over HTTPS, trusting the bundle.
    const listed = JSON.parse(await inAdminPod(`openstack --os-cacert ${CA_FILE} --os-interface internal image list -f json`));
    expect(Array.isArray(listed)).toBe(true);
  });

  test('rotation: a renewed Secret is served by every replica without a restart, and a key that does not match is not loaded', async () => {
    const internal = certificateNamed('flowtls-default-internal-svc');
    const before = await Promise.all([0, 1].map(podState));
    const started = Date.now();
    await applyClean([issue(internal, 'renewed')]);
    const renewed = issued['flowtls-default-internal-svc'];
    for (const n of [0, 1]) {
      await until(`replica ${n} serves the renewed certificate`, async () => (await servedTo(host(STS, n))) === renewed.fingerprint);
    }
    console.log(`cluster: the renewed certificate was served by both replicas ${Math.round((Date.now() - started) / 1000)} s after the apply`);
    expect(await httpdLog(0)).toContain('glance-httpd: a certificate changed: graceful restart');
    // A pair whose key is another certificate's: httpd keeps serving the renewed one and says why.
    const next = pki.issue('internal-mismatched', { dnsNames: internal.spec.dnsNames });
    const mismatched = await apply([tlsSecret(internal.spec.secretName, { ...pki.secretData(next), [TLS_KEY_KEY]: renewed.keyPem })]);
    // The API server takes it, with a warning a user sees too.
    expect({ code: mismatched.code, warnings: warnings(mismatched) })
      .toEqual({ code: 0, warnings: ['Warning: tls: private key does not match public key'] });
    await until('replica 0 reports the mismatch', async () => (await httpdLog(0)).includes('does not match the certificate'));
    expect(await servedTo(host(STS, 0))).toBe(renewed.fingerprint);
    // Then the matching pair: loaded.
    await applyClean([tlsSecret(internal.spec.secretName, pki.secretData(next))]);
    await until('replica 0 serves the matching pair', async () => (await servedTo(host(STS, 0))) === next.fingerprint);
    expect(await Promise.all([0, 1].map(podState))).toEqual(before);
  });
});

describe('Glance as a member of the cloud: registered by its Job, an application credential, a shared token cache, notifications, quotas', () => {
  const STS = 'flowcloud-default-single';
  const INTERNAL_URL = `http://flowcloud-default.${NAMESPACE}.svc:9292`;
  const PROJECTS = ['counted', 'staging', 'other'];
  let objects: any[];
  const tokens: Record<string, string> = {};

  /** `openstack ...` in the admin pod as another user: the name, its password and project. */
  const asUser = (user: string, password: string, project: string, command: string) =>
    inAdminPod(`OS_USERNAME='${user}' OS_PASSWORD='${password}' OS_PROJECT_NAME='${project}' ${command}`);

  /**
   * One call of the image API with a token, from the admin pod (curl): the status and the body. A
   * body of `bytes` random bytes is sent as octet-stream (a stage), an object as JSON.
   */
  async function call(token: string, method: string, url: string, body?: object | { bytes: number }): Promise<{ status: number; body: any }> {
    const data = body === undefined ? ''
      : 'bytes' in body ? `-H 'Content-Type: application/octet-stream' --data-binary @<(head -c ${(body as any).bytes} /dev/urandom)`
        : `-H 'Content-Type: application/json' --data '${JSON.stringify(body)}'`;
    const out = await inAdminPod(`status=$(curl -s -o /tmp/body -w '%{http_code}' -X ${method} -H 'X-Auth-Token: ${token}' ${data} '${url}')`
      + ' && echo "$status" && cat /tmp/body');
    const [status, ...rest] = out.split('\n');
    const text = rest.join('\n');
    let parsed: any = text;
    try { parsed = JSON.parse(text); } catch { /* an error page */ }
    return { status: Number(status), body: parsed };
  }
  const createAs = (project: string, name: string) =>
    call(tokens[project], 'POST', `${INTERNAL_URL}/v2/images`, { name, disk_format: 'raw', container_format: 'bare' });

  /** Keystone's token validations so far: GET /v3/auth/tokens in its uWSGI request log (the pod's log), as token-cache.test.ts counts them. */
  const validations = async () => (await logs('pod/keystone', NAMESPACE)).split('\n').filter((line) => / GET \/v3\/auth\/tokens /.test(line)).length;

  /** The memcached pod's counters (its `stats` command), read from the admin pod. */
  async function memcachedStats(): Promise<Record<string, number>> {
    const out = await inAdminPod(`exec 3<>/dev/tcp/memcached.${NAMESPACE}.svc/11211 && printf 'stats\\r\\nquit\\r\\n' >&3 && cat <&3`);
    return Object.fromEntries([...out.matchAll(/^STAT (\S+) (\d+)\r?$/gm)].map((m) => [m[1], Number(m[2])]));
  }

  /** Every notification on the bus's queue so far, taken off it as Ceilometer would (../sandbox/rabbitmq-drain.py, kombu, in the admin pod). */
  async function drain(): Promise<any[]> {
    const program = readFileSync(join(__dirname, '..', 'sandbox', 'rabbitmq-drain.py'), 'utf8');
    // kombu names the protocol amqp, oslo.messaging rabbit.
    const run = await exec(ADMIN_POD, NAMESPACE, ['python3', '-c', program, TRANSPORT_URL.replace(/^rabbit:/, 'amqp:'), 'notifications.info']);
    if (run.code !== 0) throw new Error(`draining notifications.info: ${run.stderr}`);
    return JSON.parse(run.stdout).messages;
  }

  beforeAll(async () => {
    objects = parseYaml(synthChart((a) => cloudFlow(a, CLUSTER_SITE.bookworm)));
    // The user's policy ConfigMap, made beside the chart.
    await applyClean([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CLOUD_POLICY.name, namespace: NAMESPACE }, data: CLOUD_POLICY.data }]);
    // And the Secret of its configSecrets.
    await applyClean([secret(CLOUD_CONFIG_SECRET.name, NAMESPACE, CLOUD_CONFIG_SECRET.data)]);
    await applyClean(objects);
    // As keystone-operator does: the credential is made by the service user, once the Job has made the user.
    await jobComplete(jobsOf(objects).find((name) => name.startsWith('flowcloud-keystone-'))!, NAMESPACE);
    const credential = JSON.parse(await asUser(CLOUD_USER, GLANCE_PASSWORD, 'service', 'openstack application credential create flowcloud -f json'));
    await applyClean([secret(CLOUD_AC_SECRET, NAMESPACE, { AC_ID: credential.id, AC_SECRET: credential.secret })]);
    // Then the password in osp-secret stops working: whatever still used it would fail.
    await inAdminPod(`openstack user set --password 'changed-after-registration' ${CLOUD_USER}`);
    await deployed(objects);
    for (const project of PROJECTS) {
      await inAdminPod(`openstack project create --or-show ${project} >/dev/null && openstack user create --or-show --project ${project} `
        + `--password ${project}-password ${project}-member >/dev/null && openstack role add --project ${project} --user ${project}-member member`);
      tokens[project] = (await asUser(`${project}-member`, `${project}-password`, project, 'openstack token issue -f value -c id')).trim();
    }
  });

  afterAll(async () => {
    await remove(objects, NAMESPACE);
    await kubectl(['delete', 'secret', '-n', NAMESPACE, '--ignore-not-found', CLOUD_AC_SECRET]);
    await kubectl(['delete', 'configmap', '-n', NAMESPACE, '--ignore-not-found', CLOUD_POLICY.name]);
    await kubectl(['delete', 'secret', '-n', NAMESPACE, '--ignore-not-found', CLOUD_CONFIG_SECRET.name]);
  });

  test('policyConfigMap: glance-api finds the ConfigMap laid out as the pod sandbox lays it out; its rule lets a member list each '
    + 'replica\'s cache, and the library\'s cache_delete rule, which it does not name, still refuses the member', async () => {
    for (const n of [0, 1]) {
      const layout = await kubectlOk(['exec', `${STS}-${n}`, '-c', 'glance-api', '-n', NAMESPACE, '--',
        ...configMapVolumeCommand('/etc/glance/policy.d', 'policy.yaml')]);
      expect(configMapVolumeLayoutOf(layout)).toEqual(configMapVolumeLayout(Object.keys(CLOUD_POLICY.data)));
      expect((await call(tokens.other, 'GET', `http://${host(STS, n)}:9292/v2/cache`)).status).toBe(200);
      expect((await call(tokens.other, 'DELETE', `http://${host(STS, n)}:9292/v2/cache`)).status).toBe(403);
    }
  });

  test(`registration: the Job made the service user and listed Glance in ${CLOUD_REGION}; the replicas run on the user's application `
    + 'credential alone (its password changed in Keystone), with no password in their environment', async () => {
    const catalog = JSON.stringify(JSON.parse(await inAdminPod('openstack catalog show image -f json')).endpoints);
    expect(catalog).toContain(CLOUD_REGION);
    expect(catalog).toContain(INTERNAL_URL);
    const listed = JSON.parse(await inAdminPod(`openstack --os-region-name ${CLOUD_REGION} --os-interface internal image list -f json`));
    expect(Array.isArray(listed)).toBe(true);
    const old = await exec(ADMIN_POD, NAMESPACE, ['bash', '-c', `OS_USERNAME=${CLOUD_USER} OS_PASSWORD='${GLANCE_PASSWORD}' `
      + 'OS_PROJECT_NAME=service openstack token issue']);
    expect(old.code).not.toBe(0);
    const env = (await get('statefulset', STS, NAMESPACE)).spec.template.spec.containers.flatMap((c: any) => c.env ?? []);
    expect(env.filter((e: any) => e.valueFrom?.secretKeyRef?.name === CLOUD_AC_SECRET).map((e: any) => e.valueFrom.secretKeyRef.key).sort())
      .toEqual(expect.arrayContaining(['AC_ID', 'AC_SECRET']));
    expect(env.map((e: any) => e.name).filter((name: string) => name.endsWith('__PASSWORD'))).toEqual([]);
    // A member's token is checked by the API with the credential's token.
    expect((await call(tokens.other, 'GET', `${INTERNAL_URL}/v2/images`)).status).toBe(200);
  });

  test('token cache: one member token on both replicas, four requests, one validation by Keystone; memcached served the rest', async () => {
    const token = (await asUser('other-member', 'other-password', 'other', 'openstack token issue -f value -c id')).trim();
    const [before, statsBefore] = [await validations(), await memcachedStats()];
    const statuses: number[] = [];
    for (const n of [0, 1, 0, 1]) statuses.push((await call(token, 'GET', `http://${host(STS, n)}:9292/v2/images`)).status);
    const [after, statsAfter] = [await validations(), await memcachedStats()];
    console.log(`cluster: one token, four requests over two replicas: ${after - before} validation(s) by Keystone, `
      + `memcached get_hits +${statsAfter.get_hits - statsBefore.get_hits}`);
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(after - before).toBe(1);
    expect(statsAfter.get_hits - statsBefore.get_hits).toBeGreaterThanOrEqual(3);
  });

  test('notifications: image.create, image.upload and image.delete of one image reach the RabbitMQ pod\'s notifications.info', async () => {
    await drain();
    const id = imageIdIn(await inAdminPod(`head -c 65536 /dev/urandom >/tmp/notified && glance --os-image-url ${INTERNAL_URL} image-create `
      + '--name notified --disk-format raw --container-format bare --file /tmp/notified'));
    await inAdminPod(`glance --os-image-url ${INTERNAL_URL} image-delete ${id}`);
    const seen: any[] = [];
    await until('the three notifications of the image', async () => {
      seen.push(...await drain());
      return ['image.create', 'image.upload', 'image.delete'].every((type) => seen.some((m) => m.event_type === type && m.payload?.id === id));
    }, { everyMs: 1000 });
    const mine = seen.filter((m) => m.payload?.id === id);
    console.log(`cluster: notifications of image ${id}: ${mine.map((m) => m.event_type).join(', ')}`);
    expect(mine.every((m) => m.publisher_id.startsWith('image.') && m.priority === 'INFO')).toBe(true);
  });

  test(`quotas: image_count_total ${CLOUD_QUOTAS.imageCountTotal} gives a project 413 at its fourth image; image_stage_total `
    + `${CLOUD_QUOTAS.imageStageTotal} refuses a project's second stage; another project still creates and stages`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await createAs('counted', `counted-${i}`)).status);
    console.log(`cluster: image_count_total 3, four creates in one project: ${statuses.join(', ')}`);
    expect(statuses).toEqual([201, 201, 201, 413]);
    const [first, second] = [await createAs('staging', 'staged-0'), await createAs('staging', 'staged-1')];
    expect([first.status, second.status]).toEqual([201, 201]);
    // A soft limit, as Glance documents it: the stage that crosses it completes, the next is refused.
    expect((await call(tokens.staging, 'PUT', `${INTERNAL_URL}/v2/images/${first.body.id}/stage`, { bytes: 2 * MIB })).status).toBe(204);
    const refused = await call(tokens.staging, 'PUT', `${INTERNAL_URL}/v2/images/${second.body.id}/stage`, { bytes: 2 * MIB });
    console.log(`cluster: image_stage_total 1 MiB, a second 2 MiB stage in the same project: ${refused.status}`);
    expect(refused.status).toBe(413);
    expect(JSON.stringify(refused.body)).toMatch(/image_stage_total/);
    const other = await createAs('other', 'other-staged');
    expect(other.status).toBe(201);
    expect((await call(tokens.other, 'PUT', `${INTERNAL_URL}/v2/images/${other.body.id}/stage`, { bytes: MIB / 2 })).status).toBe(204);
  });
  test('policyConfigMap: a key removed from the ConfigMap, the real kubelet removes its file, as the pod sandbox does', async () => {
    const kept = { 'policy.yaml': CLOUD_POLICY.data['policy.yaml'] };
    await applyClean([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CLOUD_POLICY.name, namespace: NAMESPACE }, data: kept }]);
    const layout = async () => configMapVolumeLayoutOf(await kubectlOk(['exec', `${STS}-0`, '-c', 'glance-api', '-n', NAMESPACE, '--',
      ...configMapVolumeCommand('/etc/glance/policy.d', 'policy.yaml')]));
    const started = Date.now();
    // The kubelet updates a ConfigMap volume at its next sync of the pod (about a minute).
    await until('the kubelet has updated the policy volume', async () => !JSON.stringify(await layout()).includes('queue.yaml'), { everyMs: 2000 });
    console.log(`cluster: a key removed from the policy ConfigMap: its file gone from the pod after ${Math.round((Date.now() - started) / 1000)} s`);
    expect(await layout()).toEqual(configMapVolumeLayout(['policy.yaml']));
  });

  test('configSecrets: the real kubelet runs the check before glance-api, which reads the Secret\'s text from the emptyDir the check '
    + 'wrote (the glance user\'s, read-only); its option applies', async () => {
    for (const n of [0, 1]) {
      const pod = await get('pod', `${STS}-${n}`, NAMESPACE);
      const check = pod.status.initContainerStatuses.find((s: any) => s.name === 'config-secrets');
      expect(check.state.terminated.exitCode).toBe(0);
      const seen = await kubectlOk(['exec', `${STS}-${n}`, '-c', 'glance-api', '-n', NAMESPACE, '--', 'sh', '-c',
        'cd /etc/glance/glance.conf.d && stat -c "%a %u" 70-config-secrets.conf && cat 70-config-secrets.conf '
        + '&& (touch x 2>/dev/null || echo read-only)']);
      expect(seen).toBe(`440 42415\n${CLOUD_CONFIG_SECRET.data['tags.conf']}\nread-only\n`);
    }
    const image = await createAs('other', 'tagged');
    const tag = async (name: string) => (await call(tokens.other, 'PUT', `${INTERNAL_URL}/v2/images/${image.body.id}/tags/${name}`)).status;
    const statuses = [await tag('one'), await tag('two'), await tag('three')];
    console.log(`cluster: image_tag_quota 2 from the Secret, three tags: ${statuses.join(', ')}`);
    expect(statuses).toEqual([204, 204, 413]);
  });

  test('configSecrets: an option customServiceConfig may not set stops the new pod in its check, with the synth-time guard\'s message as '
    + 'the termination message; the Secret corrected, the next pod is Ready', async () => {
    const refused = '[paste_deploy]\nflavor = keystone\n';
    const rules = JSON.parse(objects.find((o) => o.kind === 'Secret' && o.metadata.name === `${STS}-config`).stringData[CONFIG_SECRETS_RULES]);
    const prop = `configSecrets[0] (Secret "${CLOUD_CONFIG_SECRET.name}", key "tags.conf")`;
    const expected = (() => {
      try {
        checkIniAssignments(prop, readIni(prop, refused + '\n'), rules.managed, rules.substitution, 'configSecrets');
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    })();
    expect(expected).toMatch(/overrides an option cdk8s-glance manages/);
    const pod = `${STS}-1`;
    try {
      await applyClean([secret(CLOUD_CONFIG_SECRET.name, NAMESPACE, { 'tags.conf': refused })]);
      await kubectlOk(['delete', 'pod', pod, '-n', NAMESPACE, '--wait=true']);
      let terminated: any;
      await until('the new pod\'s check ends', async () => {
        const statuses = (await get('pod', pod, NAMESPACE))?.status?.initContainerStatuses ?? [];
        const check = statuses.find((s: any) => s.name === 'config-secrets');
        terminated = check?.state?.terminated ?? check?.lastState?.terminated;
        return terminated !== undefined;
      }, { everyMs: 1000 });
      expect(terminated.exitCode).toBe(1);
      expect(terminated.message).toBe(`cdk8s-glance: ${expected}`);
      expect(terminated.message).not.toContain('flavor = keystone');
      expect((await get('pod', pod, NAMESPACE)).status.containerStatuses.find((c: any) => c.name === 'glance-api').state.running).toBeUndefined();
    } finally {
      await applyClean([secret(CLOUD_CONFIG_SECRET.name, NAMESPACE, CLOUD_CONFIG_SECRET.data)]);
      await kubectlOk(['delete', 'pod', pod, '-n', NAMESPACE, '--wait=true']);
      await until('the pod comes back', async () => (await get('pod', pod, NAMESPACE)) !== undefined, { everyMs: 1000 });
      await podReady(pod, NAMESPACE);
    }
  });
});

/**
 * README's "Taking over from the glance-operator", steps 2 and 4, on Glance 30 with an image cache. No
 * operator runs on this cluster: what it leaves behind is stood in for by the same CR's deployment,
 * with the operator's names. That the stand-in is the operator's in what a take-over keeps (the
 * StatefulSet's and Services' names, the claim templates and where glance-api mounts them, each
 * replica's worker_self_reference_url, by which the centralized_db driver keys its cache records)
 * is test/custom-resource/operator-corpus.test.ts's comparison with the operators' code. This proves
 * the rest on Kubernetes and Glance: the StatefulSet deleted, its claims stay; the CR's output applied
 * again binds them; the replica lists and serves what the old one cached. The CR is the operator's
 * as a user would export it: its Memcached (memcached-0.memcached), its osp-secret (the service
 * user's and the Keystone admin's passwords), its registration in the catalog.
 */
describe('taking over from the glance-operator: a Glance CR\'s output, its StatefulSet replaced, its claims and cache kept', () => {
  const STS = 'glance-default-single';
  const CLAIMS = [`glance-${STS}-0`, `glance-cache-${STS}-0`];
  const INTERNAL_URL = `http://glance-default-internal.${NAMESPACE}.svc:9292`;
  const CR = {
    apiVersion: 'glance.openstack.org/v1beta1',
    kind: 'Glance',
    metadata: { name: 'glance', namespace: NAMESPACE },
    spec: {
      secret: 'osp-secret',
      databaseInstance: 'openstack',
      databaseAccount: 'glance',
      keystoneEndpoint: 'default',
      storage: { storageClass: CLUSTER_SITE.trixie.storageClass, storageRequest: '1Gi' },
      imageCache: { size: '128Mi' },
      glanceAPIs: { default: { type: 'single', replicas: 1 } },
    },
  };
  /** `npx cdk8s-glance synth --from glance.yaml --database-secret glance-db:connection`, in code. */
  const fromCr = () => crOnCluster('takeover', CR, {
    database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
    keystoneAuthUrl: KEYSTONE_URL,
    release: GlanceRelease.EPOXY,
  });
  const claimUids = async () => Promise.all(CLAIMS.map(async (claim) => (await get('pvc', claim, NAMESPACE))?.metadata.uid));
  let objects: any[];
  let id: string;
  let uids: string[];

  afterAll(() => remove(objects ?? [], NAMESPACE));

  test('step 2: the operator\'s names; applied and Ready, registered in the catalog by its Job; an image cached on the replica', async () => {
    objects = fromCr();
    expect(statefulSetsOf(objects)).toEqual([STS]);
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort())
      .toEqual(['glance-default-internal', 'glance-default-public', STS]);
    await applyClean(objects);
    await deployed(objects);
    await answersAdminPod(STS, 1, INTERNAL_URL);
    await jobComplete(jobsOf(objects).find((name) => /^glance-keystone-[0-9a-f]{8}$/.test(name))!, NAMESPACE);
    expect(JSON.stringify(JSON.parse(await inAdminPod('openstack catalog show image -f json')).endpoints)).toContain(INTERNAL_URL);
    id = imageIdIn(await inAdminPod(`head -c ${4 * MIB} /dev/urandom >/tmp/takeover && glance --os-image-url ${INTERNAL_URL} `
      + 'image-create --name takeover --disk-format raw --container-format bare --file /tmp/takeover && rm /tmp/takeover'));
    await glance(STS, 0, 'cache-queue', id);
    await until('replica 0 lists the image as cached', async () => (await cachedImages(STS, 0)).includes(id), { everyMs: 1000 });
    uids = await claimUids();
    expect(uids.every((uid) => typeof uid === 'string')).toBe(true);
  });

  test('step 4: kubectl delete statefulset: its pod goes, its claims stay; the CR\'s output applied again binds them, and the image is still '
    + 'cached there, listed and served by the new replica', async () => {
    await kubectlOk(['delete', 'statefulset', STS, '-n', NAMESPACE, '--wait=true']);
    await until('the replica\'s pod is gone', async () => (await get('pod', `${STS}-0`, NAMESPACE)) === undefined, { everyMs: 1000 });
    expect(await claimUids()).toEqual(uids);
    // Synthesized again from the same CR, as from `kubectl get glance glance -o yaml`: the same objects.
    const again = fromCr();
    expect(again).toEqual(objects);
    await applyClean(again);
    await rolledOut(STS, NAMESPACE);
    await answersAdminPod(STS, 1, INTERNAL_URL);
    expect(await claimUids()).toEqual(uids);
    const pod = await get('pod', `${STS}-0`, NAMESPACE);
    const bound = pod.spec.volumes.filter((v: any) => v.persistentVolumeClaim).map((v: any) => v.persistentVolumeClaim.claimName);
    expect(bound.sort()).toEqual([...CLAIMS].sort());
    // The centralized_db driver's record, keyed by the replica's worker_self_reference_url, and the file on the claim.
    expect(await cachedImages(STS, 0)).toEqual([id]);
    expect(imageFiles(await claimFolder(`glance-cache-${STS}-0`, NAMESPACE))).toEqual({ [id]: 4 * MIB });
    const served = await inAdminPod(`glance --os-image-url ${imageUrl(STS, 0)} image-download --file /tmp/served ${id} && `
      + 'md5sum </tmp/served | cut -d" " -f1 && rm /tmp/served');
    // Whole: its bytes are those Glance recorded at upload (checksum, md5).
    const shown = await inAdminPod(`glance --os-image-url ${INTERNAL_URL} image-show ${id}`);
    expect(served.trim()).toBe(/^\|\s*checksum\s*\|\s*([0-9a-f]{32})\s*\|/m.exec(shown)?.[1]);
  });
});

/**
 * A cinder store as the glance-operator deploys it, imported from its sample CR with
 * --allow-privileged-cinder: the API pod privileged, in the node's PID namespace, each of the
 * node's attach programs (iscsiadm, multipath, nvme...) a wrapper that runs the node's own
 * (ImageBackend.cinder's nodeTools). No Cinder runs here, so nothing attaches: this proves what the
 * corpus and unit tests cannot, that the path glance_store takes to those programs (os-brick's
 * privileged helper, started through sudo and glance-rootwrap as root, running iscsiadm) enters
 * the namespaces of the node's process 1 from a real pod, and gets there what the node's root gets.
 * (This machine's process 1, the VM's init, refuses entry even to the node's root; on a node whose
 * process 1 admits it, the version printed is the node's open-iscsi, not the image's.)
 */
describe('a cinder store from the operator\'s CR: the API pod runs the node\'s attach programs, where the namespace admits it', () => {
  const CINDER_NAMESPACE = 'glance-cinder';
  const STS = 'cinderx-default-single';
  const CR = {
    apiVersion: 'glance.openstack.org/v1beta1',
    kind: 'Glance',
    metadata: { name: 'cinderx', namespace: CINDER_NAMESPACE },
    spec: {
      memcachedInstance: '',
      customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:cinder\n[glance_store]\ndefault_backend = default_backend\n'
        + '[default_backend]\ncinder_store_auth_address = {{ .KeystoneInternalURL }}\ncinder_store_user_name = {{ .ServiceUser }}\n'
        + 'cinder_store_password = {{ .ServicePassword }}\ncinder_store_project_name = service\ncinder_use_multipath = true\n',
      glanceAPIs: { default: { type: 'single', replicas: 1 } },
    },
  };
  /** `npx cdk8s-glance synth --from glance.yaml --allow-privileged-cinder true --database-secret cinderx-db:connection`, in code. */
  const fromCr = (namespace: string) => crOnCluster('cinderx', { ...CR, metadata: { ...CR.metadata, namespace } }, {
    database: { connectionSecret: { name: 'cinderx-db', key: 'connection' } },
    keystoneAuthUrl: KEYSTONE_URL,
    keystoneRegistration: false,
    release: GlanceRelease.EPOXY,
    allowPrivilegedCinder: true,
  });
  let objects: any[];

  afterAll(async () => {
    await remove(objects ?? [], CINDER_NAMESPACE);
    await kubectl(['delete', 'namespace', CINDER_NAMESPACE, '--ignore-not-found', '--wait=false']);
  });

  test('a namespace that enforces "restricted" refuses its API pod: privileged, hostPID, the node\'s paths', async () => {
    const dryRun = await apply(fromCr(NAMESPACE).filter((o) => o.kind === 'StatefulSet'), { dryRun: true });
    expect(dryRun.code).toBe(0);
    const warned = warnings(dryRun).join('\n');
    expect(warned).toMatch(/would violate PodSecurity "restricted:latest"/);
    expect(warned).toMatch(/host namespaces \(hostPID=true\)/);
    expect(warned).toMatch(/privileged \(container "glance-api" must not set securityContext.privileged=true\)/);
    expect(warned).toMatch(/restricted volume types \(volumes "host-dev", "host-sys", .*use restricted volume type "hostPath"\)/);
  });

  test('where the namespace admits privileged pods, it starts: db-sync complete, the replica Ready in the node\'s PID namespace, its config '
    + 'the cinder store with the node\'s os-brick lock path', async () => {
    objects = fromCr(CINDER_NAMESPACE);
    // The namespace first: a server-side dry run of a namespaced object needs its namespace to exist.
    await applyClean([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CINDER_NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } },
    ]);
    await applyClean([
      databaseSecret('cinderx', CINDER_NAMESPACE),
      secret('osp-secret', CINDER_NAMESPACE, { GlancePassword: GLANCE_PASSWORD }),
    ]);
    await applyClean(objects);
    await jobComplete(dbSyncOf(objects), CINDER_NAMESPACE);
    await rolledOut(STS, CINDER_NAMESPACE);
    const pod = await get('pod', `${STS}-0`, CINDER_NAMESPACE);
    expect(pod.spec.hostPID).toBe(true);
    const conf = await exec(`${STS}-0`, CINDER_NAMESPACE, ['cat', '/etc/glance/glance.conf.d/00-glance.conf']);
    expect(conf.stdout).toMatch(/^enabled_backends = default_backend:cinder$/m);
    expect(conf.stdout).toMatch(/^\[os_brick\]\nlock_path = \/var\/locks\/openstack\/os-brick$/m);
  });

  test('through os-brick\'s privileged helper, as glance_store runs it (sudo glance-rootwrap, as root), iscsiadm runs in the namespaces of '
    + 'the node\'s process 1, with what the node\'s root gets there', async () => {
    const pod = `${STS}-0`;
    // hostPID: the pod's process 1 is the node's.
    const podInit = await exec(pod, CINDER_NAMESPACE, ['cat', '/proc/1/cmdline']);
    expect(podInit.stdout).toBe(readFileSync('/proc/1/cmdline', 'utf8'));
    const wrapper = await exec(pod, CINDER_NAMESPACE, ['sh', '-c', 'stat -c %a /usr/sbin/iscsiadm && head -1 /usr/sbin/iscsiadm']);
    expect(wrapper.stdout).toBe('555\n#!/bin/sh\n');
    // glance-api's own command line and config; glance_store's cinder driver: priv_context.init(root_helper=get_root_helper()).
    const script = [
      'import json, shlex',
      'from oslo_concurrency import processutils',
      'from oslo_config import cfg',
      'from oslo_privsep import priv_context',
      'from os_brick.privileged import rootwrap',
      "cfg.CONF(['--config-file', '/etc/glance/glance.conf.d/glance-api.conf', '--config-dir', '/etc/glance/glance.conf.d'], project='glance')",
      "priv_context.init(root_helper=shlex.split('sudo glance-rootwrap /etc/glance/rootwrap.conf'))",
      'try:',
      "    out, err = rootwrap.execute_root('iscsiadm', '--version')",
      "    print(json.dumps({'code': 0, 'out': out.strip(), 'err': err.strip()}))",
      'except processutils.ProcessExecutionError as e:',
      "    print(json.dumps({'code': e.exit_code, 'out': e.stdout.strip(), 'err': e.stderr.strip()}))",
    ].join('\n');
    const run = await exec(pod, CINDER_NAMESPACE, ['python3', '-c', script]);
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    const got = JSON.parse(run.stdout.trim().split('\n').pop()!);
    // The node's root entering its process 1's namespaces for the same program. (On this machine the VM's process 1
    // refuses every entry, to the node's root too: "stat of /proc/1/ns/user failed: Permission denied".)
    const node = spawnSync('nsenter', ['--all', '--target', '1', '--', '/usr/sbin/iscsiadm', '--version'], { encoding: 'utf8' });
    expect(got).toEqual({ code: node.status, out: node.stdout.trim(), err: node.stderr.trim() });
    process.stdout.write(`cinder node tools: iscsiadm through os-brick's privileged helper in the pod: exit ${got.code}, `
      + `${JSON.stringify(got.out || got.err)}; the node's root: exit ${node.status}\n`);
    if (node.status === 0) {
      // Then it printed the node's version, not the image's own open-iscsi (Glance 30's image: 2.1.11; a bookworm node: 2.1.8).
      const imageOwn = (await exec(pod, CINDER_NAMESPACE, ['dpkg-query', '-W', '-f', '${Version}', 'open-iscsi'])).stdout.trim();
      expect(got.out).toBe(execFileSync('/usr/sbin/iscsiadm', ['--version'], { encoding: 'utf8' }).trim());
      expect(got.out.includes(imageOwn.split('-')[0])).toBe(false);
    }
  });
});

/** A CR's output in its namespace, as `npx cdk8s-glance synth --from` writes it, its image this cluster's (Glance 30). */
function crOnCluster(chart: string, cr: any, options: CustomResourceOptions): any[] {
  return exampleOnCluster(parseYaml(synthChart((app) =>
    Glance.fromCustomResource(new Chart(app, chart, { namespace: cr.metadata.namespace }), 'glance', cr, options))));
}

/** One chart synthesized alone, as YAML text. */
function synthChart(build: (app: App) => unknown): string {
  const out = mkdtempSync(join(tmpdir(), 'cluster-chart-'));
  try {
    const app = new App({ outdir: out });
    build(app);
    app.synth();
    return readFileSync(join(out, `${app.charts[0].node.id}.k8s.yaml`), 'utf8');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
