import { readFileSync } from 'fs';
import { join } from 'path';
import { crOptions, expectRejected, FIXTURES, glance, noStore, synthFromCr } from './cr-helpers';
import { GlanceApiType, ObjectNaming } from '../../lib';
import { GLANCE_SPEC_FIELDS, glancePropsFromCustomResource, readCustomResource } from '../../lib/custom-resource';
import { GlanceValidationError } from '../../lib/errors';
import { expectInvalid, find, glanceConf, ofKind } from '../helpers';

test('operator fields map to props: schedules, purge, user, secret, image, split, resources', () => {
  const m = synthFromCr({
    kind: 'Glance',
    spec: {
      containerImage: 'registry.example/glance-api:2023.1',
      serviceUser: 'glance-svc',
      secret: 'my-secret',
      passwordSelectors: { service: 'GlanceServicePassword' },
      keystoneEndpoint: 'default',
      imageCache: { size: '20Gi' },
      dbPurge: { age: 14, schedule: '0 3 * * *' },
      storage: { storageRequest: '10G' },
      glanceAPIs: {
        default: {
          type: 'split',
          replicas: 2,
          resources: { requests: { cpu: 1, memory: '1Gi' } },
          nodeSelector: { zone: 'a' },
          imageCache: { cleanerScheduler: '*/10 * * * *', prunerScheduler: '0 2 * * *' },
        },
      },
    },
  });
  const internal = find(m, 'StatefulSet', 'glance-default-internal-api');
  const c = internal.spec.template.spec.containers[0];
  expect(c.image).toBe('registry.example/glance-api:2023.1');
  expect(c.resources.requests).toEqual({ 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '1536Mi' });
  expect(internal.spec.template.spec.nodeSelector).toEqual({ zone: 'a' });
  expect(c.env.find((e: any) => e.name === 'OS_KEYSTONE_AUTHTOKEN__PASSWORD').valueFrom.secretKeyRef)
    .toEqual({ name: 'my-secret', key: 'GlanceServicePassword' });
  expect(glanceConf(m, 'glance-default-internal-api').keystone_authtoken.username).toBe('glance-svc');
  expect(find(m, 'StatefulSet', 'glance-default-external-api').spec.replicas).toBe(2);
  expect(find(m, 'CronJob', 'glance-default-external-api-1-cleaner').spec.schedule).toBe('*/10 * * * *');
  expect(find(m, 'CronJob', 'glance-default-internal-api-0-pruner').spec.schedule).toBe('0 2 * * *');
  // The size is the top level's: the API has none of its own.
  expect(internal.spec.volumeClaimTemplates.find((t: any) => t.metadata.name === 'glance-cache').spec.resources.requests.storage).toBe('20Gi');
  expect(find(m, 'CronJob', 'glance-db-purge').spec.schedule).toBe('0 3 * * *');
  const purge = find(m, 'CronJob', 'glance-db-purge').spec.jobTemplate.spec.template.spec.containers[0];
  expect(purge.command.slice(-1)).toEqual(['14']);
  expect(ofKind(m, 'StatefulSet').map((o) => o.metadata.name)).toEqual(['glance-default-internal-api', 'glance-default-external-api']);
});

describe('unknown or unsupported fields are rejected with their path', () => {
  test.each([
    [{ kind: 'Glance', spec: { imageCache: { size: '1Gi', prunerSchedule: '0 2 * * *' } } }, 'spec.imageCache.prunerSchedule'],
    [glance({ glanceAPIs: { default: { override: { service: { internal: { spec: { externalTrafficPolicy: 'Local' } } } } } } }),
      'spec.glanceAPIs.default.override.service.internal.spec.externalTrafficPolicy'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { override: { service: { internal: { spec: { type: 'Balanced' } } } } } } } },
      'spec.glanceAPIs.default.override.service.internal.spec.type'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { type: 'internal' } } } }, 'spec.glanceAPIs.default.type'],
    [glance({ glanceAPIs: { az1: { customServiceConfig: '[DEFAULT]\nenabled_backends = az1:file\n[glance_store]\ndefault_backend = az1\n' } } }),
      'spec.glanceAPIs.az1.customServiceConfig'],
    [glance({ extraMounts: [{ extraVol: [{ volumes: [{ name: 'x', hostPath: { path: '/x' } }], mounts: [{ name: 'x', mountPath: '/x' }] }] }] }),
      'spec.extraMounts[0].extraVol[0].mounts[0]'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { networkAttachments: ['Not A Name'] } } } }, 'spec.glanceAPIs.default.networkAttachments[0]'],
    [{ kind: 'Glance', spec: { imageCache: { size: '1Gi', sizee: '2Gi' } } }, 'spec.imageCache.sizee'],
    [{ kind: 'Glance', spec: { storage: { storageRequest: '10Gi', storageClas: 'x' } } }, 'spec.storage.storageClas'],
    [{ kind: 'OpenStackControlPlane', spec: { glance: { template: {}, apiOverride: {} } } }, 'spec.glance.apiOverride'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { replicas: 'three' } } } }, 'spec.glanceAPIs.default.replicas'],
    [{ kind: 'Glance', spec: { glanceAPIs: { default: { type: 'both' } } } }, 'spec.glanceAPIs.default.type'],
    [glance({ glanceAPIs: { default: { override: { service: { internal: { metadata: { labels: { tier: 'not a label value' } } } } } } } }),
      'spec.glanceAPIs.default.override.service.internal.metadata.labels.tier'],
    // Prototype names are fields like any other, not lookups into Object.prototype.
    [JSON.parse('{"kind": "Glance", "spec": {"constructor": {}}}'), 'spec.constructor'],
    [{ kind: 'Glance', spec: { storage: { hasOwnProperty: 'x' } } }, 'spec.storage.hasOwnProperty'],
  ])('%j is rejected at %s', (cr, path) => {
    expectRejected(cr, path);
  });

  test('the input object is not changed', () => {
    const cr = glance({ imageCache: { size: 1073741824 } });
    const before = JSON.stringify(cr);
    synthFromCr(cr);
    expect(JSON.stringify(cr)).toBe(before);
  });
});

describe('the field table is the Glance CRD', () => {
  // Written from the operator's CRD: test/fixtures/glance-crd-fields.txt.
  const fixture = readFileSync(join(FIXTURES, 'glance-crd-fields.txt'), 'utf8').split('\n')
    .filter((line) => line && !line.startsWith('#')).map((line) => {
      const [path, typed, ...dflt] = line.split(' ');
      const [, type, bounds] = /^([a-z]+)(\{.*\})?$/.exec(typed)!;
      const dfltText = dflt.join(' ');
      return { path, type, bounds: bounds ? JSON.parse(bounds) : undefined, default: dfltText === '-' ? undefined : JSON.parse(dfltText) };
    });

  test('every CRD field has exactly one entry, and no entry names a field the CRD lacks', () => {
    expect(Object.keys(GLANCE_SPEC_FIELDS).sort()).toEqual(fixture.map((f) => f.path).sort());
  });

  test.each(fixture.map((f) => [f.path, f.type, f.default, f.bounds]))('%s: %s, default %j, bounds %j as in the CRD', (path, type, dflt, bounds) => {
    const field = GLANCE_SPEC_FIELDS[path as string];
    expect(field.default).toEqual(dflt);
    expect(field.bounds).toEqual(bounds);
    const expectedTypes: Record<string, string[]> = {
      string: ['string', 'quantity'], integer: ['integer'], boolean: ['boolean'], object: ['object', 'stringMap'], array: ['array'],
    };
    expect(expectedTypes[type as string]).toContain(field.type);
  });
});

describe('CRD defaults, as a CR exported from a cluster carries them', () => {
  const exported = {
    apiVersion: 'glance.openstack.org/v1beta1',
    kind: 'Glance',
    metadata: { name: 'glance', namespace: 'openstack' },
    spec: {
      apiTimeout: 60,
      databaseAccount: 'glance',
      databaseInstance: 'openstack',
      memcachedInstance: 'memcached',
      preserveJobs: false,
      keystoneEndpoint: '',
      serviceUser: 'glance',
      secret: 'osp-secret',
      passwordSelectors: { service: 'GlancePassword' },
      dbPurge: { age: 30, schedule: '1 0 * * *' },
      quotas: { imageCountTotal: 0, imageCountUpload: 0, imageSizeTotal: 0, imageStageTotal: 0 },
      imageCache: { size: '', cleanerScheduler: '*/30 * * * *', prunerScheduler: '1 0 * * *' },
      storage: { storageClass: 'local-storage', storageRequest: '10G' },
      customServiceConfigSecrets: [],
      extraMounts: [],
      glanceAPIs: {
        default: {
          replicas: 1,
          type: 'split',
          apiTimeout: 60,
          networkAttachments: [],
          override: {},
          imageCache: { size: '', cleanerScheduler: '*/30 * * * *', prunerScheduler: '1 0 * * *' },
        },
      },
    },
  };

  test('is accepted, its API split as the CRD\'s type default says', () => {
    const m = synthFromCr(exported);
    expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name).sort()).toEqual(['glance-default-external-api', 'glance-default-internal-api']);
  });

  test('an image cache size of "" (the CRD default) means no cache: no cache CronJobs', () => {
    const m = synthFromCr(exported);
    expect(ofKind(m, 'CronJob').map((c) => c.metadata.name)).toEqual(['glance-db-purge']);
    expect(ofKind(m, 'StatefulSet').flatMap((s) => s.spec.volumeClaimTemplates.map((t: any) => t.metadata.name))).toEqual(['glance', 'glance']);
  });

  test('an API without a type is split, as the CRD defaults it', () => {
    const props = glancePropsFromCustomResource({ kind: 'Glance', spec: { glanceAPIs: { default: { replicas: 1 } } } }, crOptions());
    expect(props.apis!.default.type).toBe(GlanceApiType.SPLIT);
  });

  test('storage.storageClass applies to the image cache claims too', () => {
    const m = synthFromCr({ ...exported, spec: { ...exported.spec, imageCache: { size: '20Gi' } } });
    for (const sts of ofKind(m, 'StatefulSet')) {
      expect(sts.spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.storageClassName]))
        .toEqual([['glance', 'local-storage'], ['glance-cache', 'local-storage']]);
    }
  });

  test('metadata.name prefixes the StatefulSets, as the operator\'s; the endpoint Services are glance-<api>-<endpoint>, as the operator\'s', () => {
    const m = synthFromCr({ ...exported, metadata: { name: 'images', namespace: 'openstack' } }, { ...crOptions(), publicUrl: undefined });
    expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name).sort()).toEqual(['images-default-external-api', 'images-default-internal-api']);
    expect(ofKind(m, 'Service').map((s) => s.metadata.name).sort())
      .toEqual(['glance-default-internal', 'glance-default-public', 'images-default-external-api', 'images-default-internal-api']);
    const job = ofKind(m, 'Job').find((j) => /keystone/.test(j.metadata.name))!;
    expect(job.spec.template.spec.containers[0].env).toEqual(expect.arrayContaining([
      { name: 'INTERNAL_URL', value: 'http://glance-default-internal.openstack.svc:9292' },
      { name: 'PUBLIC_URL', value: 'http://glance-default-public.openstack.svc:9292' },
    ]));
  });

  test('options.naming LIBRARY gives the library\'s names instead', () => {
    const m = synthFromCr(exported, { ...crOptions(), naming: ObjectNaming.LIBRARY });
    expect(ofKind(m, 'StatefulSet').map((s) => s.metadata.name).sort()).toEqual(['glance-default-external', 'glance-default-internal']);
    expect(ofKind(m, 'Service').map((s) => s.metadata.name).sort())
      .toEqual(['glance-default', 'glance-default-external', 'glance-default-internal', 'glance-default-public']);
  });

  test('metadata.namespace must match the chart\'s', () => {
    expectRejected({ ...exported, metadata: { name: 'glance', namespace: 'other' } }, 'metadata.namespace');
  });
});

test('networkAttachments become the Multus annotation', () => {
  const m = synthFromCr(glance({ glanceAPIs: { default: { type: 'single', networkAttachments: ['storage', 'openstack/internalapi'] } } }));
  expect(find(m, 'StatefulSet', 'glance-default-single').spec.template.metadata.annotations['k8s.v1.cni.cncf.io/networks'])
    .toBe('storage,openstack/internalapi');
});

test('a field older CRDs had is dropped, as the API server drops it: the same manifests as without it', () => {
  const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const m = synthFromCr(glance({ glanceAPIs: { default: { type: 'single', preserveJobs: false } } }));
    expect(m).toEqual(synthFromCr(glance({ glanceAPIs: { default: { type: 'single' } } })));
  } finally {
    warn.mockRestore();
  }
});

test('override.service becomes the endpoint Services\' type, annotations and labels (MetalLB, as edge samples set it)', () => {
  const annotations = { 'metallb.universe.tf/address-pool': 'internalapi', 'metallb.universe.tf/loadBalancerIPs': '172.17.0.80' };
  const m = synthFromCr({
    kind: 'Glance',
    spec: {
      glanceAPIs: {
        default: {
          type: 'split',
          override: { service: { internal: { metadata: { annotations, labels: { service: 'glance' } }, spec: { type: 'LoadBalancer' } } } },
        },
      },
    },
  });
  const internal = find(m, 'Service', 'glance-default-internal');
  expect(internal.spec.type).toBe('LoadBalancer');
  expect(internal.metadata.annotations).toEqual(annotations);
  expect(internal.metadata.labels.service).toBe('glance');
  expect(find(m, 'Service', 'glance-default-public').spec.type).toBe('ClusterIP');
  expect(find(m, 'Service', 'glance-default-public').metadata.annotations).toBeUndefined();
});

describe('every refusal of the reader names the field, the problem and the fix', () => {
  const refused = (cr: unknown, path: string, message: RegExp, options = crOptions()) => {
    expectInvalid(() => readCustomResource(cr, options), path, message);
  };

  test.each([
    [{ containerImage: 5 }, 'spec.containerImage', /is not a string.*Fix: write it as a string/],
    [{ glanceAPIs: { a: { replicas: 1.5 } } }, 'spec.glanceAPIs.a.replicas', /is not a whole number/],
    [{ storage: { external: 'yes' } }, 'spec.storage.external', /is not true or false/],
    [{ dbPurge: [] }, 'spec.dbPurge', /is not a mapping/],
    [{ extraMounts: {} }, 'spec.extraMounts', /is not a list/],
    [{ storage: { storageRequest: true } }, 'spec.storage.storageRequest', /is not a quantity/],
    [{ nodeSelector: { zone: 1 } }, 'spec.nodeSelector', /is not a mapping of strings/],
    [{ imageCache: { sizes: '1Gi' } }, 'spec.imageCache.sizes',
      /is not a field of the Glance CRD.*fields here: cleanerScheduler, prunerScheduler, size\)/],
    [{ glanceAPIs: { a: { replica: 2 } } }, 'spec.glanceAPIs.a.replica', /fields here: apiTimeout, auth, customServiceConfig,/],
    [{ quotas: { imageSizeTotal: 1.5 } }, 'spec.quotas.imageSizeTotal', /is not a whole number/],
    [{ glanceAPIs: { a: { type: 'single', tls: { api: { internal: { secretName: 's' } } } } } }, 'spec.glanceAPIs.a.tls.api.public.secretName',
      /is not set, and spec\.glanceAPIs\.a\.tls\.api\.internal\.secretName is: a single API serves both endpoints on one port/],
    [{ keystoneEndpoint: 'edge' }, 'spec.keystoneEndpoint',
      /names no entry of glanceAPIs \(got "edge"\)\. Fix: name the API whose endpoints Keystone lists/],
    [{ glanceAPIs: { a: { type: 'toString' } } }, 'spec.glanceAPIs.a.type', /is not a Glance API type.*Fix: use one of single, split, edge/],
    [{ glanceAPIs: { a: { override: { route: {} } } } }, 'spec.glanceAPIs.a.override.route', /is not supported by cdk8s-glance: overrides of route/],
    [{ glanceAPIs: { a: { override: { service: 'x' } } } }, 'spec.glanceAPIs.a.override.service', /is not a mapping.*Fix: give internal and public/],
    [{ glanceAPIs: { a: { override: { service: { admin: {} } } } } }, 'spec.glanceAPIs.a.override.service.admin', /an override of the admin Service/],
    [{ glanceAPIs: { a: { override: { service: { internal: 'x' } } } } }, 'spec.glanceAPIs.a.override.service.internal',
      /is not a mapping.*Fix: give metadata and spec/],
    [{ glanceAPIs: { a: { override: { service: { internal: { spec: 'x' } } } } } }, 'spec.glanceAPIs.a.override.service.internal.spec',
      /Service spec overrides/],
    [{ glanceAPIs: { a: { override: { service: { public: { spec: { ports: [] } } } } } } }, 'spec.glanceAPIs.a.override.service.public.spec.ports',
      /Service overrides of spec\.ports/],
    [{ glanceAPIs: { a: { override: { service: { public: { metadata: { name: 'x' } } } } } } },
      'spec.glanceAPIs.a.override.service.public.metadata.name',
      /Service overrides of metadata\.name/],
    [{ glanceAPIs: { a: { override: { service: { public: { status: { a: 1 } } } } } } }, 'spec.glanceAPIs.a.override.service.public.status.a',
      /Service overrides of status\.a/],
    [{ glanceAPIs: { a: { override: { service: { public: { spec: { type: 'ExternalName' } } } } } } },
      'spec.glanceAPIs.a.override.service.public.spec.type',
      /is not a Service type.*Fix: use ClusterIP, NodePort or LoadBalancer/],
    [{ glanceAPIs: { a: { resources: { claims: [] } } } }, 'spec.glanceAPIs.a.resources.claims',
      /is not supported by cdk8s-glance.*Fix: give requests and limits only/],
    [{ glanceAPIs: { a: { resources: { limits: { 'nvidia.com/gpu': 1 } } } } }, 'spec.glanceAPIs.a.resources.limits.nvidia.com/gpu',
      /Fix: give cpu and memory only/],
  ])('spec %j', (spec, path, message) => {
    refused(glance(spec), path, message);
  });

  test('fields at their CRD default, or empty, are accepted even where unsupported', () => {
    expect(() => readCustomResource(glance({
      quotas: { imageCountTotal: 0, imageCountUpload: 0 },
      customServiceConfigSecrets: [],
      notificationBusInstance: '',
      glanceAPIs: { a: { tls: { api: { internal: {}, public: null } }, auth: {} } },
    }), crOptions())).not.toThrow();
  });
});

describe('the reader, field by field: what each unsupported field names, and the edge cases of a real CR', () => {
  const read = (cr: unknown, options = noStore()) => readCustomResource(cr, options).props;
  const refused = (cr: unknown, path: string, message: RegExp | string, options = noStore()): GlanceValidationError =>
    expectInvalid(() => readCustomResource(cr, options), path, message);

  test.each([
    ['glanceAPIs.a.storage', { storageRequest: '1Gi' }, 'per-API storage (glanceAPIs.*.storage)'],
  ])('spec.%s is refused by its feature', (field, value, feature) => {
    const spec: any = {};
    const keys = field.split('.');
    keys.slice(0, -1).reduce((o, k) => (o[k] = {}), spec)[keys[keys.length - 1]] = value;
    refused(glance(spec), `spec.${field}`, `is not supported by cdk8s-glance: ${feature} (got`);
  });

  test('a former field warns with what became of it, under its own warning code', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      read(glance({ glanceAPIs: { a: { preserveJobs: true } } }));
      expect(warn).toHaveBeenCalledWith('cdk8s-glance: spec.glanceAPIs.a.preserveJobs is no field of the Glance CRD any more '
        + '(moved to spec.preserveJobs); the API server drops it on apply, and so does cdk8s-glance', { code: 'CDK8S_GLANCE_FORMER_CR_FIELD' });
    } finally {
      warn.mockRestore();
    }
  });

  test('null fields are unset', () => {
    const nulls = synthFromCr(glance({ containerImage: null, imageCache: null, extraMounts: null, storage: { storageRequest: null } }));
    expect(JSON.stringify(nulls)).toBe(JSON.stringify(synthFromCr(glance({ storage: {} }))));
  });

  // The API server prunes a null of a field that is not nullable before defaulting: a null reads as the field left out
  // (architecture's dz-storage example carries customServiceConfig: null).
  test.each([
    ['customServiceConfig', { customServiceConfig: null }, {}],
    ['an API\'s customServiceConfig', { glanceAPIs: { default: { customServiceConfig: null } } }, { glanceAPIs: { default: {} } }],
    ['an API\'s resources, override and tls', { glanceAPIs: { default: { resources: null, override: null, tls: null } } },
      { glanceAPIs: { default: {} } }],
    ['storageClass and nodeSelector', { storage: { storageRequest: '10G', storageClass: null }, nodeSelector: null },
      { storage: { storageRequest: '10G' } }],
  ])('null %s reads as the field left out', (_, withNull, without) => {
    expect(JSON.stringify(synthFromCr(glance(withNull)))).toBe(JSON.stringify(synthFromCr(glance(without))));
  });

  test('a control plane\'s nullable applicationCredential: null means disabled, as its default does', () => {
    const plane = (applicationCredential: unknown) => ({
      kind: 'OpenStackControlPlane',
      spec: {
        applicationCredential,
        glance: { applicationCredential, template: { storage: { storageRequest: '10G' }, glanceAPIs: { default: {} } } },
      },
    });
    const env = (m: any[]) => JSON.stringify(find(m, 'StatefulSet', 'glance-default-external-api').spec.template.spec.containers[0].env);
    expect(env(synthFromCr(plane(null)))).toBe(env(synthFromCr(plane({ enabled: false }))));
    expect(env(synthFromCr(plane({ enabled: true })))).toContain('ac-glance-secret');
  });

  test('without a storageRequest (or with ""), no claim: /var/lib/glance is an emptyDir, as the operator\'s webhook sets storage.external', () => {
    for (const storage of [undefined, {}, { storageRequest: '' }, { storageClass: 'fast' }]) {
      const sts = find(synthFromCr(glance({ storage })), 'StatefulSet', 'glance-default-internal-api');
      expect(sts.spec.volumeClaimTemplates ?? []).toEqual([]);
      expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'glance', emptyDir: { sizeLimit: '10Gi' } });
    }
    const claimed = find(synthFromCr(glance({ storage: { storageRequest: '10G' } })), 'StatefulSet', 'glance-default-internal-api');
    expect(claimed.spec.volumeClaimTemplates.map((c: any) => [c.metadata.name, c.spec.resources.requests.storage])).toEqual([['glance', '10G']]);
    // A file store of its own pods' storage: named by the field left out, with the ways to give the images a home.
    const single = glance({ storage: {}, glanceAPIs: { default: { type: 'single' } } });
    const error = expectInvalid(() => synthFromCr(single, noStore()), 'spec.storage.storageRequest',
      /keeps the file store's images of apis.default in an emptyDir, lost with each pod/);
    expect(error.fix).toMatch(/^give storage.storageRequest \(a claim per replica\), a shared store \(an NFS volume at \/var\/lib\/glance\/images/);
    // And the CR's own storage.external too, with a request.
    const external = find(synthFromCr(glance({ storage: { storageRequest: '10G', external: true } })), 'StatefulSet', 'glance-default-internal-api');
    expect(external.spec.volumeClaimTemplates ?? []).toEqual([]);
  });

  test('without glanceAPIs (or with only null entries) nothing would serve: refused, naming the operator\'s placeholder', () => {
    for (const glanceAPIs of [undefined, {}, { default: null }]) {
      refused({ kind: 'Glance', spec: { glanceAPIs } }, 'spec.glanceAPIs',
        /is empty: the glance-operator's webhook then deploys a placeholder API "default" with 0 replicas/);
    }
  });

  test('the CRD\'s bounds, as the API server enforces them: replicas 0 to 32, dbPurge.age and apiTimeout at least 1, a bus cluster named', () => {
    refused(glance({ glanceAPIs: { a: { replicas: 33 } } }), 'spec.glanceAPIs.a.replicas', 'it must be from 0 to 32');
    refused(glance({ glanceAPIs: { a: { replicas: -1 } } }), 'spec.glanceAPIs.a.replicas', 'it must be from 0 to 32');
    refused(glance({ dbPurge: { age: 0 } }), 'spec.dbPurge.age', 'it must be at least 1');
    refused(glance({ apiTimeout: 0 }), 'spec.apiTimeout', 'it must be at least 1');
    refused(glance({ glanceAPIs: { a: { apiTimeout: 0 } } }), 'spec.glanceAPIs.a.apiTimeout', 'it must be at least 1');
    refused(glance({ notificationsBus: { cluster: '' } }), 'spec.notificationsBus.cluster', 'at least 1 character(s) long');
    const edges = synthFromCr(glance({
      storage: { storageRequest: '10G' },
      dbPurge: { age: 1 },
      apiTimeout: 1,
      glanceAPIs: { a: { replicas: 32, type: 'single' }, b: { replicas: 0, type: 'single' } },
      keystoneEndpoint: 'a',
    }));
    expect(ofKind(edges, 'StatefulSet').map((o) => [o.metadata.name, o.spec.replicas])).toEqual([['glance-a-single', 32], ['glance-b-single', 0]]);
  });

  test('types are checked on every value, not only the first of a mapping', () => {
    refused(glance({ dbPurge: 'daily' }), 'spec.dbPurge', 'is not a mapping');
    refused(glance({ nodeSelector: { zone: 'a', rack: 1 } }), 'spec.nodeSelector', 'is not a mapping of strings');
  });

  test('dbPurge: the CRD defaults apply to a CR without it, as the operator always purges', () => {
    const purge = (spec: object) => read(glance(spec)).dbPurge!;
    expect([purge({}).ageInDays, purge({}).schedule?.expressionString]).toEqual([30, '1 0 * * *']);
    expect([purge({ dbPurge: { age: 7 } }).ageInDays, purge({ dbPurge: { age: 7 } }).schedule?.expressionString]).toEqual([7, '1 0 * * *']);
  });

  test('an image cache without a size is no cache, on the top level or in an API', () => {
    for (const cr of [glance({ imageCache: { prunerScheduler: '0 * * * *' } }), glance({ glanceAPIs: { a: { imageCache: { size: '' } } } })]) {
      const m = synthFromCr(cr);
      expect(ofKind(m, 'CronJob').map((o) => o.metadata.name)).toEqual(['glance-db-purge']);
      expect(JSON.stringify(ofKind(m, 'StatefulSet'))).not.toContain('glance-cache');
    }
  });

  // As glance_controller.go gives each GlanceAPI the top level's size only, and the webhook defaults each API's schedules.
  test('each API runs on its own schedules (the CRD\'s defaults where unset), never the top level\'s; the top level\'s size fills in', () => {
    const m = synthFromCr(glance({
      imageCache: { size: '2Gi', prunerScheduler: '5 * * * *', cleanerScheduler: '7 * * * *' },
      glanceAPIs: {
        a: { type: 'single' },
        b: { type: 'single', imageCache: { cleanerScheduler: '9 * * * *' } },
        c: { type: 'single', imageCache: { size: '3Gi' } },
      },
      keystoneEndpoint: 'a',
    }));
    const jobs = Object.fromEntries(ofKind(m, 'CronJob').map((o) => [o.metadata.name, o.spec.schedule]));
    expect(jobs).toMatchObject({
      'glance-a-single-0-pruner': '1 0 * * *',
      'glance-a-single-0-cleaner': '*/30 * * * *',
      'glance-b-single-0-pruner': '1 0 * * *',
      'glance-b-single-0-cleaner': '9 * * * *',
    });
    const cacheSize = (sts: string) => find(m, 'StatefulSet', sts).spec.volumeClaimTemplates
      .find((t: any) => t.metadata.name === 'glance-cache').spec.resources.requests.storage;
    expect(['a', 'b', 'c'].map((api) => cacheSize(`glance-${api}-single`))).toEqual(['2Gi', '2Gi', '3Gi']);
  });

  test('an API\'s customServiceConfig may not give it a file store of its own', () => {
    refused(glance({ glanceAPIs: { a: { customServiceConfig: '[DEFAULT]\nenabled_backends = a:file\n' } } }),
      'spec.glanceAPIs.a.customServiceConfig', 'a file store of an API\'s own (its images and shared claim are the deployment\'s) (got "a:file")');
  });

  test('bad INI in customServiceConfig is reported at its field', () => {
    refused(glance({ customServiceConfig: 'no section\n' }), 'spec.customServiceConfig', /./);
    refused(glance({ glanceAPIs: { edge: { customServiceConfig: 'no section\n' } } }), 'spec.glanceAPIs.edge.customServiceConfig', /./);
  });

  test('resources: requests or limits may come alone', () => {
    expect(read(glance({ glanceAPIs: { a: { resources: { limits: { cpu: 2, memory: '1Gi' } } } } })).apis!.a.resources)
      .toEqual({ cpuRequest: undefined, memoryRequest: undefined, cpuLimit: '2', memoryLimit: '1Gi' });
    expect(read(glance({ glanceAPIs: { a: { resources: { requests: { cpu: '500m' } } } } })).apis!.a.resources)
      .toEqual({ cpuRequest: '500m', memoryRequest: undefined, cpuLimit: undefined, memoryLimit: undefined });
  });

  test('resources: a resource other than cpu and memory is refused by name', () => {
    refused(glance({ glanceAPIs: { a: { resources: { requests: { 'ephemeral-storage': '1Gi' } } } } }),
      'spec.glanceAPIs.a.resources.requests.ephemeral-storage', 'is not supported by cdk8s-glance (got "1Gi"). Fix: give cpu and memory only');
  });

  const apiOf = (override: object) => read(glance({ glanceAPIs: { a: { override } } })).apis!.a;

  test('Service overrides: a null endpoint is skipped', () => {
    expect(apiOf({ service: { internal: null } }).endpointServices).toBeUndefined();
    expect(apiOf({ service: { internal: undefined } }).endpointServices).toBeUndefined();
  });

  test('Service overrides: spec without metadata, and metadata without spec', () => {
    expect(apiOf({ service: { public: { spec: { type: 'LoadBalancer' } } } }).endpointServices)
      .toEqual({ publicService: { serviceType: 'LoadBalancer', annotations: undefined, labels: undefined } });
    expect(apiOf({ service: { internal: { metadata: { labels: { a: 'b' } } } } }).endpointServices)
      .toEqual({ internalService: { serviceType: undefined, annotations: undefined, labels: { a: 'b' } } });
  });

  test('Service overrides: only metadata and spec', () => {
    refused(glance({ glanceAPIs: { a: { override: { service: { public: { status: { type: 'x' } } } } } } }),
      'spec.glanceAPIs.a.override.service.public.status.type', 'Service overrides of status.type');
  });
});

describe('what a control plane gives its Glance where the template leaves it empty, as openstack-operator\'s ReconcileGlance', () => {
  const plane = (spec: object, template: object = {}) => ({
    kind: 'OpenStackControlPlane',
    metadata: { name: 'cloud', namespace: 'openstack' },
    spec: {
      ...spec,
      glance: {
        template: { storage: { storageRequest: '10G' }, imageCache: { size: '5G' }, glanceAPIs: { default: { type: 'single' } }, ...template },
      },
    },
  });
  const sts = (m: any[]) => find(m, 'StatefulSet', 'glance-default-single');
  const classes = (m: any[]) => sts(m).spec.volumeClaimTemplates.map((t: any) => [t.metadata.name, t.spec.storageClassName]);

  test('spec.storageClass sizes no claim, but classes both, where the template\'s is "" or unset; the template\'s own wins', () => {
    expect(classes(synthFromCr(plane({ storageClass: 'local-storage' })))).toEqual([['glance', 'local-storage'], ['glance-cache', 'local-storage']]);
    const empty = plane({ storageClass: 'local-storage' }, { storage: { storageRequest: '10G', storageClass: '' } });
    expect(classes(synthFromCr(empty))).toEqual([['glance', 'local-storage'], ['glance-cache', 'local-storage']]);
    const own = plane({ storageClass: 'local-storage' }, { storage: { storageRequest: '10G', storageClass: 'ceph-rbd' } });
    expect(classes(synthFromCr(own))).toEqual([['glance', 'ceph-rbd'], ['glance-cache', 'ceph-rbd']]);
  });

  test('spec.secret holds the service and admin passwords where the template names none', () => {
    const m = synthFromCr(plane({ secret: 'my-secret' }));
    expect(sts(m).spec.template.spec.containers[0].env).toContainEqual(expect.objectContaining({
      valueFrom: { secretKeyRef: { name: 'my-secret', key: 'GlancePassword' } },
    }));
    const job = ofKind(m, 'Job').find((j) => /keystone/.test(j.metadata.name))!;
    expect(job.spec.template.spec.containers[0].env)
      .toContainEqual({ name: 'ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: 'my-secret', key: 'AdminPassword' } } });
    const own = synthFromCr(plane({ secret: 'my-secret' }, { secret: 'glance-secret' }));
    expect(JSON.stringify(sts(own).spec.template.spec.containers[0].env)).not.toContain('my-secret');
  });

  test('spec.nodeSelector places every API where neither the template nor the API has its own', () => {
    const selected = (m: any[]) => sts(m).spec.template.spec.nodeSelector;
    expect(selected(synthFromCr(plane({ nodeSelector: { 'node-role.kubernetes.io/control-plane': '' } }))))
      .toEqual({ 'node-role.kubernetes.io/control-plane': '' });
    expect(selected(synthFromCr(plane({ nodeSelector: { a: 'b' } }, { nodeSelector: { c: 'd' } })))).toEqual({ c: 'd' });
  });

  test('what it gives is checked, and refused, where the control plane writes it', () => {
    expectRejected(plane({ storageClass: 'Local_Storage' }), 'spec.storageClass');
    expectRejected(plane({ secret: 7 }), 'spec.secret');
    expectRejected(plane({ nodeSelector: { a: 1 } }), 'spec.nodeSelector');
    expectRejected(plane({ topologyRef: { name: 'spread' } }), 'spec.topologyRef');
    // The template's own Topology is refused by its own path.
    expectRejected(plane({ topologyRef: { name: 'spread' } }, { topologyRef: { name: 'mine' } }), 'spec.glance.template.topologyRef');
  });
});

describe('an API\'s own customServiceConfig replaces the top-level one, as the glance-operator gives each GlanceAPI its config', () => {
  const configs = (m: any[], sts: string) => find(m, 'Secret', `${sts}-config`).stringData;
  const top = '[DEFAULT]\ndebug = true\n';

  test('an API with its own gets only its own; the others get the top level\'s', () => {
    const m = synthFromCr(glance({
      customServiceConfig: top,
      keystoneEndpoint: 'a',
      glanceAPIs: { a: { type: 'single' }, b: { type: 'single', customServiceConfig: '[DEFAULT]\nworkers = 2\n' } },
    }));
    const a = configs(m, 'glance-a-single');
    const b = configs(m, 'glance-b-single');
    expect(Object.values(a).join('\n')).toContain('debug = true');
    expect(Object.values(b).join('\n')).not.toContain('debug = true');
    expect(Object.values(b).join('\n')).toContain('workers = 2');
  });

  test('while no API has its own, every API gets the top level\'s', () => {
    const m = synthFromCr(glance({ customServiceConfig: top, keystoneEndpoint: 'a', glanceAPIs: { a: { type: 'single' }, b: { type: 'single' } } }));
    for (const sts of ['glance-a-single', 'glance-b-single']) expect(Object.values(configs(m, sts)).join('\n')).toContain('debug = true');
  });

  test('an API with its own beside top-level stores would serve none of them: refused as per-API stores', () => {
    const stores = '[DEFAULT]\nenabled_backends = default_backend:rbd\n[glance_store]\ndefault_backend = default_backend\n';
    const cr = glance({
      customServiceConfig: stores,
      extraMounts: [{
        extraVol: [{ volumes: [{ name: 'ceph', secret: { secretName: 'ceph-conf-files' } }], mounts: [{ name: 'ceph', mountPath: '/etc/ceph' }] }],
      }],
      keystoneEndpoint: 'a',
      glanceAPIs: { a: { type: 'single' }, b: { type: 'single', customServiceConfig: '[DEFAULT]\nworkers = 2\n' } },
    });
    expectRejected(cr, 'spec.glanceAPIs.b.customServiceConfig', noStore());
  });

  test('an error in the top level\'s text given to an API names the top level', () => {
    const cr = glance({
      customServiceConfig: '[DEFAULT]\nbind_port = 1234\n',
      keystoneEndpoint: 'a',
      glanceAPIs: { a: { type: 'single' }, b: { type: 'single', customServiceConfig: '[DEFAULT]\nworkers = 2\n' } },
    });
    expectRejected(cr, 'spec.customServiceConfig');
  });
});
