/**
 * Object names never depend on construct ids or on where in the tree a deployment sits: a renamed
 * StatefulSet or claim is lost data. The same deployment, built under other ids and scopes (and
 * an API composed by hand under another id), must name every object as before.
 */
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Glance, GlanceApi, GlanceApiType, GlanceProps, ImageBackend, ObjectNaming } from '../lib';
import { BASE_PROPS, expectInvalid, Manifest, objectKey, ofKind, synthGlance } from './helpers';

const PROPS: GlanceProps = {
  ...BASE_PROPS,
  backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs-client' } }),
  imageCache: { size: '10Gi', precache: { images: ['cirros'] } },
  apis: { default: { replicas: 2 }, edge: { replicas: 1 } },
};

const keys = (manifests: Manifest[]) => manifests.map(objectKey).sort();

function synthIn(build: (chart: Chart) => void): Manifest[] {
  const chart = new Chart(Testing.app(), 'some-chart-id', { namespace: 'openstack' });
  build(chart);
  return Testing.synth(chart) as Manifest[];
}

test('a Glance under another id, nested in other constructs, names every object as under the usual id', () => {
  const usual = keys(synthGlance(PROPS));
  expect(usual.length).toBeGreaterThan(20);
  const nested = keys(synthIn((chart) => new Glance(new Construct(new Construct(chart, 'outer'), 'inner'), 'another-id', PROPS)));
  expect(nested).toEqual(usual);
});

test('a GlanceApi added by hand under another id names its objects from its props, not its id', () => {
  const byId = (id: string, scope: (glance: Glance) => Construct = (glance) => glance) => keys(synthIn((chart) => {
    const glance = new Glance(chart, 'glance', { ...BASE_PROPS, backend: PROPS.backend });
    new GlanceApi(scope(glance), id, { apiName: 'extra' });
  }));
  const usual = byId('extra-single');
  expect(usual).toContain('StatefulSet/glance-extra-single');
  expect(byId('my-own-id')).toEqual(usual);
  expect(byId('x', (glance) => new Construct(glance, 'group'))).toEqual(usual);
});

test('each API\'s replicas are checked before the rule across APIs (a file store\'s total)', () => {
  expectInvalid(() => synthGlance({ apis: { a: { replicas: 0.5 }, b: { replicas: 0.75 } } }), 'apis.a.replicas', 'is not a whole number');
  expectInvalid(() => synthGlance({ apis: { a: { replicas: 1 }, b: { replicas: -1 } } }), 'apis.b.replicas', 'is not a whole number');
});

describe('naming: the library\'s names, or the glance-operator\'s for a deployment that takes over from it', () => {
  const ADMIN = { name: 'osp-secret', key: 'AdminPassword' };
  const named = (naming?: ObjectNaming, more: Partial<GlanceProps> = {}) => synthGlance({
    keystone: { ...BASE_PROPS.keystone, registration: { api: 'default', adminPasswordSecret: ADMIN } },
    tls: { caBundleSecret: { name: 'ca-bundle', key: 'tls-ca-bundle.pem' }, issuer: { name: 'rootca-internal' } },
    backend: PROPS.backend,
    apis: { default: { type: GlanceApiType.SPLIT }, one: {}, az1: { type: GlanceApiType.EDGE } },
    ...(naming ? { naming } : {}),
    ...more,
  });
  const names = (m: Manifest[], kind: string) => ofKind(m, kind).map((o) => o.metadata.name).sort();
  const registrationEnv = (m: Manifest[]) => Object.fromEntries(ofKind(m, 'Job').find((j) => /keystone/.test(j.metadata.name))!
    .spec.template.spec.containers[0].env.filter((e: any) => /_URL$/.test(e.name)).map((e: any) => [e.name, e.value]));

  test('LIBRARY, the default: StatefulSet <name>-<api>-<role>, endpoint Services <name>-<api> and <name>-<api>-public', () => {
    const m = named();
    expect(names(m, 'StatefulSet')).toEqual(['glance-az1-edge', 'glance-default-external', 'glance-default-internal', 'glance-one-single']);
    expect(names(m, 'Service')).toEqual(['glance-az1', 'glance-az1-edge', 'glance-default', 'glance-default-external', 'glance-default-internal',
      'glance-default-public', 'glance-one', 'glance-one-public', 'glance-one-single']);
    expect(keys(named(ObjectNaming.LIBRARY))).toEqual(keys(m));
  });

  test('GLANCE_OPERATOR: the operator\'s StatefulSets (-api but for single) and headless Services, Services glance-<api>-<endpoint>', () => {
    const m = named(ObjectNaming.GLANCE_OPERATOR, { name: 'images' });
    expect(names(m, 'StatefulSet'))
      .toEqual(['images-az1-edge-api', 'images-default-external-api', 'images-default-internal-api', 'images-one-single']);
    const headless = ofKind(m, 'Service').filter((s) => s.spec.clusterIP === 'None').map((s) => s.metadata.name).sort();
    expect(headless).toEqual(names(m, 'StatefulSet'));
    for (const sts of ofKind(m, 'StatefulSet')) expect(sts.spec.serviceName).toBe(sts.metadata.name);
    // The operator's constant "glance", whatever the deployment's name; an edge API has no public endpoint.
    const endpoints = ofKind(m, 'Service').filter((s) => s.spec.clusterIP !== 'None')
      .map((s) => `${s.metadata.name} ${s.metadata.labels['glance.openstack.org/endpoint']} ${s.spec.selector['glance.openstack.org/statefulset']}`)
      .sort();
    expect(endpoints).toEqual([
      'glance-az1-internal internal images-az1-edge-api',
      'glance-default-internal internal images-default-internal-api',
      'glance-default-public public images-default-external-api',
      'glance-one-internal internal images-one-single',
      'glance-one-public public images-one-single',
    ]);
  });

  test('GLANCE_OPERATOR: the catalog, the certificates and each replica\'s hostname follow the names', () => {
    const glance = new Glance(new Chart(Testing.app(), 'c', { namespace: 'openstack' }), 'glance', {
      ...BASE_PROPS, backend: PROPS.backend, naming: ObjectNaming.GLANCE_OPERATOR, apis: { default: { type: GlanceApiType.SPLIT } },
    });
    expect(glance.apis.map((a) => a.replicaHostname(0))).toEqual([
      'glance-default-internal-api-0.glance-default-internal-api.openstack.svc',
      'glance-default-external-api-0.glance-default-external-api.openstack.svc',
    ]);
    const m = named(ObjectNaming.GLANCE_OPERATOR);
    expect(registrationEnv(m)).toMatchObject({
      INTERNAL_URL: 'https://glance-default-internal.openstack.svc:9292', PUBLIC_URL: 'https://glance-default-public.openstack.svc:9292',
    });
    const certificate = ofKind(m, 'Certificate').find((c) => c.metadata.name === 'glance-default-internal-svc')!;
    expect(certificate.spec.dnsNames)
      .toEqual(expect.arrayContaining(['glance-default-internal.openstack.svc', '*.glance-default-internal-api.openstack.svc']));
    expect(certificate.spec.dnsNames).not.toContain('glance-default.openstack.svc');
  });

  test('a value of no scheme is refused, naming the prop', () => {
    expectInvalid(() => synthGlance({ naming: 'operator' as any }), 'naming', /is not a naming scheme.*ObjectNaming.GLANCE_OPERATOR/s);
  });

  test('GLANCE_OPERATOR: two deployments in a chart with APIs of one name make the same Services, and the fix says to rename the APIs', () => {
    const build = () => synthIn((chart) => {
      new Glance(chart, 'a', { ...BASE_PROPS, naming: ObjectNaming.GLANCE_OPERATOR, name: 'one' });
      new Glance(chart, 'b', { ...BASE_PROPS, naming: ObjectNaming.GLANCE_OPERATOR, name: 'two' });
    });
    expectInvalid(build, 'name', /makes the Service "glance-default-internal".*its APIs their own names/s);
  });
});
