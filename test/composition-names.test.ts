/**
 * Object names never depend on construct ids or on where in the tree a deployment sits: a renamed
 * StatefulSet or claim is lost data. The same deployment, built under other ids and scopes (and
 * an API composed by hand under another id), must name every object as before.
 */
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Glance, GlanceApi, GlanceProps, ImageBackend } from '../lib';
import { BASE_PROPS, expectInvalid, Manifest, objectKey, synthGlance } from './helpers';

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
