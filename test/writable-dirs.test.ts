import { imageCacheCeph } from '../examples/image-cache-ceph';
import { imageCacheNfs } from '../examples/image-cache-nfs';
import { ImageBackend } from '../lib';
import { find, Manifest, synthApp, synthGlance } from './helpers';
import { readOnlyRootViolations } from './writable-dirs';

const EXAMPLES: Array<[string, () => Manifest[]]> = [
  ['image-cache-ceph', () => synthApp(imageCacheCeph)],
  ['image-cache-nfs', () => synthApp(imageCacheNfs)],
];

test.each(EXAMPLES)('%s: every directory Glance writes lies on a writable volume of its container', (_name, synthExample) => {
  expect(readOnlyRootViolations(synthExample())).toEqual([]);
});

test.each([
  ['no cache, file store', { apis: { default: {} } }],
  ['no cache, rbd, external storage', { storage: { external: true } }],
  ['cache, rbd, external storage', { storage: { external: true }, imageCache: { size: '1Gi' } }],
])('%s: every directory Glance writes lies on a writable volume', (name, props) => {
  const backend = name.includes('rbd') ? ImageBackend.rbd({ cephSecretName: 'ceph' }) : undefined;
  expect(readOnlyRootViolations(synthGlance({ backend, ...props }))).toEqual([]);
});

describe('the check catches', () => {
  const base = () => JSON.parse(JSON.stringify(EXAMPLES[1][1]())) as Manifest[];

  test('the lock_path of the first release, which no cache job could write', () => {
    const manifests = base();
    const secret = find(manifests, 'Secret', 'glance-default-single-config');
    secret.stringData['00-glance.conf'] = secret.stringData['00-glance.conf']
      .replace(/lock_path = .*/, 'lock_path = /var/lib/glance/tmp');
    const problems = readOnlyRootViolations(manifests);
    expect(problems).toHaveLength(6);
    for (const n of [0, 1, 2]) {
      for (const job of ['pruner', 'cleaner']) {
        const problem = `^CronJob/glance-default-single-${n}-${job}/${job}: oslo_concurrency.lock_path = /var/lib/glance/tmp `;
        expect(problems).toContainEqual(expect.stringMatching(new RegExp(problem)));
      }
    }
  });

  test('a directory moved by an env var (OS_<GROUP>__<OPTION>)', () => {
    const manifests = base();
    const sts = find(manifests, 'StatefulSet', 'glance-default-single');
    sts.spec.template.spec.containers[0].env.push({ name: 'OS_OSLO_CONCURRENCY__LOCK_PATH', value: '/run/glance-locks' });
    expect(readOnlyRootViolations(manifests)).toEqual([
      expect.stringMatching(/^StatefulSet\/glance-default-single\/glance-api: oslo_concurrency.lock_path = \/run\/glance-locks /),
    ]);
  });

  test('a log_dir or log_file in custom config, and a group spelt in another case', () => {
    const manifests = base();
    const secret = find(manifests, 'Secret', 'glance-default-single-config');
    secret.stringData['50-custom.conf'] = '[DEFAULT]\nlog_file = /var/log/glance/api.log\n[OSLO_Concurrency]\nlock_path = /run/lock\n';
    const problems = readOnlyRootViolations(manifests);
    // The API and 3 × 2 cache jobs, each for both options.
    expect(problems.filter((p) => p.includes('DEFAULT.log_file = /var/log/glance '))).toHaveLength(7);
    expect(problems.filter((p) => p.includes('oslo_concurrency.lock_path = /run/lock '))).toHaveLength(7);
    expect(problems).toHaveLength(14);
  });

  test('"[default]" is a group of its own in oslo.config, not DEFAULT', () => {
    const manifests = base();
    find(manifests, 'Secret', 'glance-default-single-config').stringData['50-custom.conf'] = '[default]\nlog_dir = /var/log/glance\n';
    expect(readOnlyRootViolations(manifests)).toEqual([]);
  });

  test('a volume mounted read-only', () => {
    const manifests = base();
    const job = find(manifests, 'CronJob', 'glance-default-single-0-pruner');
    for (const m of job.spec.jobTemplate.spec.template.spec.containers[0].volumeMounts) m.readOnly = true;
    expect(readOnlyRootViolations(manifests)).toEqual([
      expect.stringMatching(/^CronJob\/glance-default-single-0-pruner\/pruner: oslo_concurrency.lock_path/),
      expect.stringMatching(/^CronJob\/glance-default-single-0-pruner\/pruner: DEFAULT.image_cache_dir/),
    ]);
  });
});
