/**
 * imageConversion (GlanceApiSettings): Glance's image_conversion import plugin, on by default where
 * the glance-operator enables it (the external API of a Ceph deployment), as oslo.config reads it
 * (test/e2e/image-conversion.test.ts converts a real import on Glance 25 and 30).
 */
import { GlanceApiType, ImageBackend } from '../lib';
import { expectInvalid, find, glanceConf, Manifest, synthGlance } from './helpers';

const rbd = () => ImageBackend.rbd({ cephSecretName: 'ceph-conf-files' });
const converts = (m: Manifest[], sts: string) => {
  const conf = glanceConf(m, sts);
  return { plugins: conf.image_import_opts?.image_import_plugins, outputFormat: conf.image_conversion?.output_format };
};
const ON = { plugins: '[\'image_conversion\']', outputFormat: 'raw' };
const OFF = { plugins: undefined, outputFormat: undefined };

test('with Ceph, the external StatefulSet of a split API converts imports to raw, the internal one does not', () => {
  const m = synthGlance({ backend: rbd() });
  expect(converts(m, 'glance-default-external')).toEqual(ON);
  expect(converts(m, 'glance-default-internal')).toEqual(OFF);
});

test('with Ceph, a SINGLE or EDGE API does not convert by default, as under the glance-operator', () => {
  const m = synthGlance({ backend: rbd(), apis: { default: { type: GlanceApiType.SINGLE }, az1: { type: GlanceApiType.EDGE } } });
  expect(converts(m, 'glance-default-single')).toEqual(OFF);
  expect(converts(m, 'glance-az1-edge')).toEqual(OFF);
});

test('a multi-store with a Ceph store converts on the external API; without one, nothing converts', () => {
  const swift = () => ImageBackend.swift();
  const withCeph = synthGlance({
    backend: ImageBackend.multi({ stores: { ceph: rbd(), objects: swift() }, defaultStore: 'ceph' }),
    apis: { default: { type: GlanceApiType.SPLIT } },
  });
  expect(converts(withCeph, 'glance-default-external')).toEqual(ON);
  expect(converts(synthGlance({ backend: swift(), apis: { default: { type: GlanceApiType.SPLIT } } }), 'glance-default-external')).toEqual(OFF);
  expect(converts(synthGlance({}), 'glance-default-single')).toEqual(OFF);
});

test('set on an API, it holds for each of its StatefulSets, either way', () => {
  expect(converts(synthGlance({ apis: { default: { imageConversion: true } } }), 'glance-default-single')).toEqual(ON);
  const off = synthGlance({ backend: rbd(), apis: { default: { imageConversion: false } } });
  expect(converts(off, 'glance-default-external')).toEqual(OFF);
  const both = synthGlance({ backend: rbd(), apis: { default: { imageConversion: true } } });
  expect([converts(both, 'glance-default-internal'), converts(both, 'glance-default-external')]).toEqual([ON, ON]);
});

test('customServiceConfig may name other plugins: its file comes after, and oslo.config takes the last value, as the operator\'s does', () => {
  const plugins = '[image_import_opts]\nimage_import_plugins = [\'image_decompression\']\n';
  const m = synthGlance({ backend: rbd(), customServiceConfig: plugins });
  const files = Object.keys(find(m, 'Secret', 'glance-default-external-config').stringData).sort();
  expect(files.indexOf('50-custom.conf')).toBeGreaterThan(files.indexOf('00-glance.conf'));
  expect(find(m, 'Secret', 'glance-default-external-config').stringData['50-custom.conf']).toBe(plugins);
});

test('a value that is no boolean is refused by its path', () => {
  expectInvalid(() => synthGlance({ apis: { default: { imageConversion: 'yes' as any } } }), 'apis.default.imageConversion', /is not a boolean/);
});
