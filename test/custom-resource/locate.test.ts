import { parseAllDocuments } from 'yaml';
import { crOptions, glance, noStore, REFERENCE, synthFromCr } from './cr-helpers';
import { glancePropsFromCustomResource, readCustomResource } from '../../lib/custom-resource';
import { GlanceValidationError } from '../../lib/errors';
import { expectInvalid, find, glanceConf, Manifest, ofKind } from '../helpers';

describe('the reference snippet, as an OpenStackControlPlane', () => {
  let m: Manifest[];
  let sts: Manifest;
  beforeEach(() => {
    m = synthFromCr(REFERENCE);
    sts = find(m, 'StatefulSet', 'glance-default-single');
  });

  test('imageCache.size and storage.storageRequest size the volumes', () => {
    const sizes = Object.fromEntries(sts.spec.volumeClaimTemplates
      .map((t: any) => [t.metadata.name, t.spec.resources.requests.storage]));
    expect(sizes).toEqual({ 'glance': '10Gi', 'glance-cache': '10Gi' });
    expect(glanceConf(m, 'glance-default-single').DEFAULT.image_cache_max_size).toBe('9126805504');
  });

  test('storageClass "" means the default class, as in the operator', () => {
    for (const t of sts.spec.volumeClaimTemplates) expect(t.spec.storageClassName).toBeUndefined();
  });

  test('glanceAPIs, replicas, type and customServiceConfig carry over', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(find(m, 'Secret', 'glance-default-single-config').stringData['50-custom.conf']).toBe('[DEFAULT]\ndebug = true\n');
    expect(ofKind(m, 'CronJob').map((c) => c.metadata.name).filter((n) => n.endsWith('-pruner')))
      .toEqual([0, 1, 2].map((n) => `glance-default-single-${n}-pruner`));
  });

  test('the Keystone password follows the operator convention: osp-secret / GlancePassword', () => {
    const env = sts.spec.template.spec.containers[0].env.find((e: any) => e.name === 'OS_KEYSTONE_AUTHTOKEN__PASSWORD');
    expect(env.valueFrom.secretKeyRef).toEqual({ name: 'osp-secret', key: 'GlancePassword' });
  });
});

test('a bare Glance CR, a parsed object and a spec alone give the same props', () => {
  const spec = (parseAllDocuments(REFERENCE)[0].toJSON() as any).spec.glance.template;
  const template = REFERENCE.split('    template:\n')[1].replace(/^ {6}/gm, '  ');
  const bare = `apiVersion: glance.openstack.org/v1beta1\nkind: Glance\nmetadata:\n  name: glance\nspec:\n${template}`;
  const fromBare = glancePropsFromCustomResource(bare, crOptions());
  // The control plane's TLS (pod-level, on by default) is all that differs: see tls.test.ts.
  const { tls, database, ...fromPlane } = glancePropsFromCustomResource(REFERENCE, crOptions());
  expect(tls?.issuer?.name).toBe('rootca-internal');
  expect(database.tls).toBe(true);
  expect(fromBare.tls).toBeUndefined();
  expect(fromBare.database.tls).toBe(false);
  expect({ ...fromPlane, tls: fromBare.tls, database: fromBare.database }).toEqual(fromBare);
  expect(glancePropsFromCustomResource({ kind: 'Glance', spec }, crOptions())).toEqual(fromBare);
  expect(glancePropsFromCustomResource(spec, crOptions())).toEqual(fromBare);
  expect(spec.imageCache.size).toBe('10Gi');
});

test('a control plane names its Glance by serviceName, and may carry uniquePodNames and apiOverrides', () => {
  const m = synthFromCr({
    kind: 'OpenStackControlPlane',
    spec: {
      glance: {
        serviceName: 'image',
        uniquePodNames: true,
        apiOverrides: { default: { route: {} } },
        applicationCredential: {},
        template: { glanceAPIs: { default: { type: 'single' } } },
      },
    },
  });
  expect(find(m, 'StatefulSet', 'image-default-single').spec.replicas).toBe(1);
});

describe('every refusal of where the spec is names the field, the problem and the fix', () => {
  const refused = (cr: unknown, path: string, message: RegExp | string, options = crOptions()): GlanceValidationError =>
    expectInvalid(() => readCustomResource(cr, options), path, message);
  const read = (cr: unknown) => readCustomResource(cr, noStore()).props;
  const plane = (glanceSection: object, extra: object = {}) =>
    ({
      kind: 'OpenStackControlPlane',
      spec: { glance: { template: { glanceAPIs: { default: {} }, storage: { storageRequest: '10G' } }, ...glanceSection }, ...extra },
    });

  test.each([
    ['kind: Glance\nspec: [\n', 'customResource', /is not valid YAML.*Fix: fix the YAML syntax/],
    ['kind: Glance\nspec: {}\n---\nkind: Glance\nspec: {}\n', 'customResource',
      new RegExp('must hold exactly one OpenStackControlPlane or Glance resource '
        + '\\(got "2 OpenStackControlPlane or Glance documents"\\)\\. Fix: give one file per Glance')],
    ['kind: Secret\n', 'customResource', /"0 OpenStackControlPlane or Glance documents"/],
  ])('YAML %j', (text, path, message) => {
    refused(text, path, message);
  });

  test.each([
    [42, 'customResource', /is not an object.*Fix: give a Glance CR, its spec, or YAML text/],
    [{ kind: 'OpenStackControlPlane', spec: {} }, 'spec.glance.template',
      /is missing: openstack-operator then defaults an empty one, a placeholder API.*Fix: add the Glance template/],
    [{ kind: 'OpenStackControlPlane', spec: { glance: { enabled: false, template: {} } } }, 'spec.glance.enabled',
      /disables Glance.*Fix: set enabled: true/],
    [{ kind: 'Glance' }, 'spec', /is missing.*Fix: give the Glance CR a spec/],
    [{ kind: 'GlanceAPI', spec: {} }, 'kind', /is neither OpenStackControlPlane nor Glance \(got "GlanceAPI"\)/],
    [{ kind: 'Glance', metadata: { name: 7 }, spec: {} }, 'metadata.name', /is not a name/],
    [{ kind: 'Glance', metadata: { namespace: 'Open_Stack' }, spec: {} }, 'metadata.namespace', /is not a Kubernetes namespace name/],
    [{ kind: 'Glance', metadata: { namespace: 'a'.repeat(64) }, spec: {} }, 'metadata.namespace', /namespace name/],
  ])('%j', (cr, path, message) => {
    refused(cr, path, message);
  });

  test('a control plane\'s application credential: keystone-operator\'s Secret when both its own and Glance\'s are enabled', () => {
    const withGlobal = (global: unknown, own: unknown) => {
      const cr: any = plane(own === undefined ? {} : { applicationCredential: own });
      if (global !== undefined) cr.spec.applicationCredential = global;
      return read(cr).keystone.applicationCredentialSecret;
    };
    expect(withGlobal({ enabled: true }, { enabled: true, expirationDays: 30, roles: ['service'] })).toBe('ac-glance-secret');
    // The CRD default, and either one off: none (openstack-operator's isACEnabled).
    expect([withGlobal(undefined, { enabled: false }), withGlobal({ enabled: false }, { enabled: true }), withGlobal({ enabled: true }, undefined)])
      .toEqual([undefined, undefined, undefined]);
    refused(plane({ applicationCredential: { enabled: 'yes' } }), 'spec.glance.applicationCredential.enabled', /is not true or false/);
  });

  test('a control plane\'s enabled and serviceName default to the CRD\'s', () => {
    expect(read(plane({})).name).toBe('glance');
    expect(read(plane({ serviceName: 'image' })).name).toBe('image');
    refused(plane({ enabled: false }), 'spec.glance.enabled', 'disables Glance (got false)');
    expect(() => read(plane({ enabled: true }))).not.toThrow();
  });

  test('a control plane without spec has no Glance template', () => {
    refused({ kind: 'OpenStackControlPlane' }, 'spec.glance.template', 'is missing');
  });

  test('a control plane\'s extraMounts, beside the services, must be a list', () => {
    refused(plane({}, { extraMounts: { glance: {} } }), 'spec.extraMounts', 'is not a list (got');
  });

  test('YAML: empty documents are skipped', () => {
    const text = '---\n# nothing\n---\nkind: Glance\nmetadata:\n  name: images\n'
      + 'spec:\n  glanceAPIs:\n    default: {}\n  storage:\n    storageRequest: 10G\n';
    expect(read(text).name).toBe('images');
  });

  test('YAML: aliases that expand too far are refused with the fix', () => {
    const letter = (i: number) => String.fromCharCode(97 + i);
    const lines = Array.from({ length: 6 }, (_, i) => `${letter(i + 1)}: &${letter(i + 1)} [${Array(9).fill(`*${letter(i)}`).join(', ')}]`);
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\n${lines.join('\n')}\nkind: Glance\nspec: {}\n`;
    refused(bomb, 'customResource', /cannot be read as YAML data \(got ".*"\)\. Fix: remove the aliases that expand it$/);
  });

  test('a bare spec has its fields under spec', () => {
    refused({ containerImage: 5 }, 'spec.containerImage', 'is not a string');
  });

  test('an unknown top-level field lists the top-level ones', () => {
    const error = refused(glance({ containerImag: 'x' }), 'spec.containerImag', 'is not a field of the Glance CRD');
    expect(error.fix).toMatch(new RegExp('^remove it, or check its spelling against the CRD \\(fields here: '
      + 'apiTimeout, containerImage, customServiceConfig, customServiceConfigSecrets, databaseAccount,'));
    expect(error.fix).not.toMatch(/\bage\b|cleanerScheduler/);
  });

  test('metadata.namespace may be one character, and must be text', () => {
    expect(readCustomResource({ ...glance({}), metadata: { namespace: 'a' } }, noStore()).namespace).toBe('a');
    refused({ kind: 'Glance', metadata: { namespace: 5 }, spec: {} }, 'metadata.namespace', 'is not a Kubernetes namespace name');
  });
});
