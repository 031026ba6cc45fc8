/** What the Glance CR reader's tests share: the reference CR, the reader's options, and synthesis from a CR. */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { Glance, ImageBackend } from '../../lib';
import { runCli } from '../../lib/cli';
import { CustomResourceOptions } from '../../lib/custom-resource';
import { GlanceValidationError } from '../../lib/errors';
import { Manifest } from '../helpers';

export const FIXTURES = join(__dirname, '..', 'fixtures');
export const REFERENCE = readFileSync(join(FIXTURES, 'reference-control-plane.yaml'), 'utf8');

/** The public URL of a control plane's Route, which the CR does not say (OpenShift's default host: <route>-<namespace>.<apps domain>). */
export const ROUTE_URL = 'https://glance-default-public-openstack.apps.example.com';

/**
 * Fresh each call: ImageBackend factories run inside the tests that use them. With the public URL
 * a control plane's registration needs (its public endpoint is a Route), which a Glance CR's takes too.
 */
export const crOptions = (): CustomResourceOptions => ({
  database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
  keystoneAuthUrl: 'http://keystone-internal.openstack.svc:5000',
  backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf-files' }),
  publicUrl: ROUTE_URL,
});

/** The options without a store, for CRs that bring their own. */
export const noStore = (): CustomResourceOptions => ({ ...crOptions(), backend: undefined });
/**
 * A bare Glance CR with this spec, and where the spec leaves them out: one API, `default` (split, 1 replica:
 * the CRD's defaults; a CR without glanceAPIs deploys nothing under the operator, and is refused), and a
 * claim of 10Gi per replica (without a storageRequest the operator makes none).
 */
export const glance = (spec: any) => ({
  kind: 'Glance',
  spec: spec?.constructor === Object
    ? {
      ...('glanceAPIs' in spec ? {} : { glanceAPIs: { default: {} } }),
      ...('storage' in spec ? {} : { storage: { storageRequest: '10Gi' } }),
      ...spec,
    }
    : spec,
});

export function synthFromCr(cr: unknown, options = crOptions()): Manifest[] {
  const chart = new Chart(Testing.app(), 'cr', { namespace: 'openstack' });
  Glance.fromCustomResource(chart, 'glance', cr, options);
  return Testing.synth(chart) as Manifest[];
}

/** Synthesis from the CR fails with a GlanceValidationError at `path`, with a fix. */
export function expectRejected(cr: unknown, path: string, options = crOptions()): void {
  let error: unknown;
  try {
    synthFromCr(cr, options);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(GlanceValidationError);
  expect((error as GlanceValidationError).prop).toBe(path);
  expect((error as Error).message).toMatch(/Fix: \S/);
}

/** The CLI run with these arguments, its output captured; `stdin` gives what standard input holds. */
export function runCapturing(args: string[], stdin?: () => string): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(args, (t) => { out += t; }, (t) => { err += t; }, stdin);
  return { code, out, err };
}
