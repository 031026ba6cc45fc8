/**
 * keystone.registration on the synthesized output: the Job, its script's Secret and its
 * NetworkPolicy, the URLs it registers and the mistakes refused at synth time. What Keystone
 * makes of it is checked in test/e2e/keystone-registration.test.ts.
 */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { Glance, GlanceApiType, ImageBackend, KeystoneOptions, KeystoneRegistrationOptions } from '../lib';
import { BASE_PROPS, expectInvalid, expectMountsResolve, expectRestrictedPod, find, Manifest, ofKind, synthApp, synthGlance } from './helpers';

const ADMIN = { name: 'osp-secret', key: 'AdminPassword' };
// Several StatefulSets on the file store share it.
const SHARED = ImageBackend.file({ sharedStore: { storageClass: 'nfs' } });
const BUNDLE = { name: 'combined-ca-bundle', key: 'tls-ca-bundle.pem' };
const SCRIPT = readFileSync(join(__dirname, '..', 'lib', 'keystone', 'glance-keystone-register.py'), 'utf8');

const registered = (registration: Partial<KeystoneRegistrationOptions> = {}, keystone: Partial<KeystoneOptions> = {}, more: object = {}) =>
  synthGlance({ keystone: { ...BASE_PROPS.keystone, ...keystone, registration: { adminPasswordSecret: ADMIN, ...registration } }, ...more });
const jobOf = (m: Manifest[]) => {
  const jobs = ofKind(m, 'Job').filter((j) => j.metadata.name.startsWith('glance-keystone-'));
  expect(jobs).toHaveLength(1);
  return jobs[0];
};
const envOf = (m: Manifest[]) => Object.fromEntries(jobOf(m).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe('keystone.registration', () => {
  test('unset, nothing registers Glance: no Job, Secret or NetworkPolicy of it', () => {
    const m = synthGlance({});
    expect(m.filter((o) => o.metadata.name.startsWith('glance-keystone'))).toEqual([]);
  });

  test('a Job runs the shipped script with the image\'s python3, from a Secret of its own, named by its pod template', () => {
    const m = registered();
    const job = jobOf(m);
    expect(job.metadata.name).toMatch(/^glance-keystone-[0-9a-f]{8}$/);
    const container = job.spec.template.spec.containers[0];
    expect(container.image).toBe(find(m, 'StatefulSet', 'glance-default-single').spec.template.spec.containers[0].image);
    expect(container.command).toEqual(['python3', '/etc/glance-keystone/glance-keystone-register.py']);
    expect(find(m, 'Secret', 'glance-keystone').stringData).toEqual({ 'glance-keystone-register.py': SCRIPT });
    const volume = job.spec.template.spec.volumes.find((v: any) => v.secret?.secretName === 'glance-keystone');
    expect(container.volumeMounts).toContainEqual({ name: volume.name, mountPath: '/etc/glance-keystone', readOnly: true });
    // A new script is a new pod template, so a new Job that runs it.
    expect(job.spec.template.metadata.annotations['glance.openstack.org/script-hash']).toBe(createHash('sha256').update(SCRIPT).digest('hex'));
    expect(job.spec.backoffLimit).toBe(6);
    expectMountsResolve(m);
  });

  test('its Job, pod, Secret and container are labelled and named for the registration; the container has bounded resources', () => {
    const m = registered();
    const job = jobOf(m);
    const component = 'keystone-registration';
    expect(job.metadata.labels['app.kubernetes.io/component']).toBe(component);
    expect(job.spec.template.metadata.labels['app.kubernetes.io/component']).toBe(component);
    expect(find(m, 'Secret', 'glance-keystone').metadata.labels['app.kubernetes.io/component']).toBe(component);
    const container = job.spec.template.spec.containers[0];
    expect(container.name).toBe(component);
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  });

  test('its settings, with the defaults: the operator\'s admin and the service user Glance authenticates as; passwords only from Secrets', () => {
    expect(envOf(registered({}, { region: 'regionOne' }))).toEqual({
      KEYSTONE_AUTH_URL: 'http://keystone.openstack.svc:5000',
      ADMIN_USERNAME: 'admin',
      ADMIN_PROJECT_NAME: 'admin',
      ADMIN_DOMAIN_NAME: 'Default',
      ADMIN_PASSWORD: { secretKeyRef: ADMIN },
      SERVICE_USERNAME: 'glance',
      SERVICE_PROJECT_NAME: 'service',
      SERVICE_DOMAIN_NAME: 'Default',
      SERVICE_PASSWORD: { secretKeyRef: BASE_PROPS.keystone.passwordSecret },
      REGION: 'regionOne',
      INTERNAL_URL: 'http://glance-default.openstack.svc:9292',
      PUBLIC_URL: 'http://glance-default-public.openstack.svc:9292',
    });
  });

  test('every setting is taken from its prop; without a region the endpoints have none', () => {
    const env = envOf(registered(
      {
        adminUsername: 'cloud-admin',
        adminProjectName: 'ops',
        adminDomainName: 'Admins',
        internalUrl: 'http://g.internal:9292',
        publicUrl: 'https://images.example.com',
      },
      { username: 'glance-svc', projectName: 'services', domainName: 'Svc', authUrl: 'https://keystone.example.com/v3' }));
    expect(env).toEqual(expect.objectContaining({
      KEYSTONE_AUTH_URL: 'https://keystone.example.com/v3',
      ADMIN_USERNAME: 'cloud-admin',
      ADMIN_PROJECT_NAME: 'ops',
      ADMIN_DOMAIN_NAME: 'Admins',
      SERVICE_USERNAME: 'glance-svc',
      SERVICE_PROJECT_NAME: 'services',
      SERVICE_DOMAIN_NAME: 'Svc',
      INTERNAL_URL: 'http://g.internal:9292',
      PUBLIC_URL: 'https://images.example.com',
    }));
    expect(env.REGION).toBeUndefined();
  });

  test('a "$" in a setting reaches the script as written: the kubelet would expand $(VAR)', () => {
    expect(envOf(registered({ publicUrl: 'https://g.example.com/$(HOME)', adminUsername: 'ad$min' }))).toEqual(expect.objectContaining({
      PUBLIC_URL: 'https://g.example.com/$$(HOME)', ADMIN_USERNAME: 'ad$$min',
    }));
  });

  test('endpoints with TLS are registered with https, and the Job trusts the CA bundle', () => {
    const m = registered({}, {}, { tls: { caBundleSecret: BUNDLE, issuer: { name: 'rootca-internal' }, publicIssuer: { name: 'rootca-public' } } });
    const env = envOf(m);
    expect([env.INTERNAL_URL, env.PUBLIC_URL]).toEqual(['https://glance-default.openstack.svc:9292', 'https://glance-default-public.openstack.svc:9292']);
    expect([env.SSL_CERT_FILE, env.REQUESTS_CA_BUNDLE]).toEqual(['/etc/glance/tls/ca/tls-ca-bundle.pem', '/etc/glance/tls/ca/tls-ca-bundle.pem']);
    expectMountsResolve(m);
  });

  test('a SPLIT API with a certificate for its public endpoint only: each endpoint has its scheme', () => {
    const env = envOf(registered({}, {}, {
      backend: SHARED,
      apis: { default: { type: GlanceApiType.SPLIT, tls: { publicSecretName: 'glance-public-cert' } } },
      tls: { caBundleSecret: BUNDLE },
    }));
    expect([env.INTERNAL_URL, env.PUBLIC_URL]).toEqual(['http://glance-default.openstack.svc:9292', 'https://glance-default-public.openstack.svc:9292']);
  });

  test('a SPLIT API registers its internal StatefulSet\'s Service as internal and its external one\'s as public', () => {
    const env = envOf(registered({}, {}, { backend: SHARED, apis: { default: { type: GlanceApiType.SPLIT } } }));
    expect([env.INTERNAL_URL, env.PUBLIC_URL]).toEqual(['http://glance-default.openstack.svc:9292', 'http://glance-default-public.openstack.svc:9292']);
  });

  test('with several APIs, the one named by api', () => {
    const env = envOf(registered({ api: 'central' }, {}, { backend: SHARED, apis: { central: {}, other: {} } }));
    expect([env.INTERNAL_URL, env.PUBLIC_URL]).toEqual(['http://glance-central.openstack.svc:9292', 'http://glance-central-public.openstack.svc:9292']);
  });

  test('the pod is restricted, has no token and takes no connection', () => {
    const m = registered();
    expectRestrictedPod(jobOf(m).spec.template.spec);
    const labels = jobOf(m).spec.template.metadata.labels;
    const policy = find(m, 'NetworkPolicy', 'glance-keystone');
    expect(policy.spec).toEqual({ podSelector: { matchLabels: { 'glance.openstack.org/keystone-of': 'glance' } }, policyTypes: ['Ingress'] });
    expect(labels['glance.openstack.org/keystone-of']).toBe('glance');
    expect(registered({}, {}, { networkPolicy: { enabled: false } }).filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('a changed URL or admin is a new Job (its template), which runs again; the same props give the same name', () => {
    const name = jobOf(registered()).metadata.name;
    expect(jobOf(registered()).metadata.name).toBe(name);
    expect(jobOf(registered({ publicUrl: 'https://glance.example.com' })).metadata.name).not.toBe(name);
    expect(jobOf(registered({ adminUsername: 'other' })).metadata.name).not.toBe(name);
  });

  test('the Job comes after the Secret and NetworkPolicy it needs in the output', () => {
    const m = registered();
    const index = (kind: string, name: string) => m.findIndex((o) => o.kind === kind && o.metadata.name === name);
    const job = m.indexOf(jobOf(m));
    expect(index('Secret', 'glance-keystone')).toBeLessThan(job);
    expect(index('NetworkPolicy', 'glance-keystone')).toBeLessThan(job);
  });
});

describe('keystone.registration refused at synth time', () => {
  test.each([
    [{ adminPasswordSecret: undefined }, 'keystone.registration.adminPasswordSecret', /is required/],
    [{ adminPasswordSecret: { name: 'Osp', key: 'AdminPassword' } }, 'keystone.registration.adminPasswordSecret.name', /"Osp"/],
    [{ adminPasswordSecret: { name: 'osp-secret', key: 'a b' } }, 'keystone.registration.adminPasswordSecret.key', /"a b"/],
    [{ adminUsername: 'ad\nmin' }, 'keystone.registration.adminUsername', /spans lines/],
    [{ adminProjectName: '' }, 'keystone.registration.adminProjectName', /is empty/],
    [{ adminDomainName: ' ' }, 'keystone.registration.adminDomainName', /is empty/],
    [{ internalUrl: 'glance:9292' }, 'keystone.registration.internalUrl', /is not an http\(s\) URL/],
    [{ publicUrl: 'https://a b' }, 'keystone.registration.publicUrl', /is not an http\(s\) URL/],
    [{ api: 'missing' }, 'keystone.registration.api', /names no entry of apis.*Fix: use one of: default/],
    [{ internalUrl: ['http://glance.example'] }, 'keystone.registration.internalUrl', /is not an http\(s\) URL/],
    [{ api: 'Default' }, 'keystone.registration.api', /is not a DNS-1123 label/],
  ])('%j', (registration, prop, message) => {
    expectInvalid(() => registered(registration as any), prop, message);
  });

  test.each([['yes'], [null]])('%j: not an object', (registration) => {
    expectInvalid(() => synthGlance({ keystone: { ...BASE_PROPS.keystone, registration: registration as any } }), 'keystone.registration',
      /is not an object/);
  });

  test('an api of no entry lists every entry', () => {
    expectInvalid(() => registered({ api: 'c' }, {}, { backend: SHARED, apis: { a: {}, b: {} } }), 'keystone.registration.api',
      /names no entry of apis.*Fix: use one of: a, b/);
  });

  test('several APIs and no api: which one Keystone lists is yours to say', () => {
    expectInvalid(() => registered({}, {}, { backend: SHARED, apis: { a: {}, b: {} } }), 'keystone.registration.api',
      /is needed: apis has 2 entries \(a, b\)/);
  });

  test('an API that serves no public endpoint (EDGE) needs publicUrl, and then registers', () => {
    expectInvalid(() => registered({}, {}, { apis: { edge: { type: GlanceApiType.EDGE } } }), 'keystone.registration.publicUrl',
      /is needed: apis\.edge serves no public endpoint/);
    expect(envOf(registered({ publicUrl: 'https://edge.example.com' }, {}, { apis: { edge: { type: GlanceApiType.EDGE } } })).INTERNAL_URL)
      .toBe('http://glance-edge.openstack.svc:9292');
  });

  test('behind a TLS proxy, the public URL is the proxy\'s, which only you know', () => {
    expectInvalid(() => registered({}, {}, { behindTlsProxy: true }), 'keystone.registration.publicUrl', /behindTlsProxy/);
    expect(envOf(registered({ publicUrl: 'https://glance.example.com' }, {}, { behindTlsProxy: true })).PUBLIC_URL).toBe('https://glance.example.com');
  });

  test('a chart without a namespace gives its Services no cluster DNS name: the URLs are needed', () => {
    const build = (registration: Partial<KeystoneRegistrationOptions>) => synthApp((app) => {
      const chart = new Chart(app, 'no-namespace');
      const keystone = { ...BASE_PROPS.keystone, registration: { adminPasswordSecret: ADMIN, ...registration } };
      new Glance(chart, 'glance', { ...BASE_PROPS, keystone });
      return chart;
    });
    expectInvalid(() => build({}), 'keystone.registration.internalUrl', /the chart has no namespace/);
    expectInvalid(() => build({ internalUrl: 'http://g:9292' }), 'keystone.registration.publicUrl', /the chart has no namespace/);
    expect(envOf(build({ internalUrl: 'http://g:9292', publicUrl: 'https://g.example.com' })).PUBLIC_URL).toBe('https://g.example.com');
  });

  test('an admin Secret may not take the name of the script\'s Secret: applying the chart would overwrite it', () => {
    expectInvalid(() => registered({ adminPasswordSecret: { name: 'glance-keystone', key: 'AdminPassword' } }),
      'keystone.registration.adminPasswordSecret.name', /names a Secret that this chart creates for keystone\.registration/);
  });

  test('the Glance reports the Job\'s name, and none without registration', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'openstack' });
    const glance = new Glance(chart, 'glance', { ...BASE_PROPS, keystone: { ...BASE_PROPS.keystone, registration: { adminPasswordSecret: ADMIN } } });
    expect(glance.keystoneRegistrationJobName).toMatch(/^glance-keystone-[0-9a-f]{8}$/);
    expect(new Glance(chart, 'other', { ...BASE_PROPS, name: 'other' }).keystoneRegistrationJobName).toBeUndefined();
  });
});
