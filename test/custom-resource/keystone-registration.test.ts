/**
 * The CR reader's Keystone registration: the operator always lists the keystoneEndpoint API in the
 * catalog (KeystoneService and KeystoneEndpoint, made by keystone-operator as the KeystoneAPI's
 * admin), so an import does too, with keystone.registration, unless told not to.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { crOptions, expectRejected, glance, REFERENCE, ROUTE_URL, runCapturing, synthFromCr } from './cr-helpers';
import { Glance } from '../../lib';
import { readCustomResource } from '../../lib/custom-resource';
import { glanceConf, Manifest } from '../helpers';

const registrationJobs = (m: Manifest[]) => m.filter((o) => o.kind === 'Job' && /^glance-keystone-[0-9a-f]{8}$/.test(o.metadata.name));
const envOf = (m: Manifest[]) => {
  const jobs = registrationJobs(m);
  expect(jobs).toHaveLength(1);
  return Object.fromEntries(jobs[0].spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
};
const shared = { storage: { storageRequest: '10G' } };
/** A Glance CR's registration takes its Services' URLs where neither the CR nor the options give one. */
const ownUrls = () => ({ ...crOptions(), publicUrl: undefined });

describe('keystoneEndpoint and the catalog registration', () => {
  test('the reference control plane registers its API as the KeystoneAPI\'s admin, whose password is in the CR\'s Secret', () => {
    const env = envOf(synthFromCr(REFERENCE));
    expect(env.ADMIN_PASSWORD).toEqual({ secretKeyRef: { name: 'osp-secret', key: 'AdminPassword' } });
    expect(env.SERVICE_PASSWORD).toEqual({ secretKeyRef: { name: 'osp-secret', key: 'GlancePassword' } });
    expect([env.ADMIN_USERNAME, env.ADMIN_PROJECT_NAME]).toEqual(['admin', 'admin']);
  });

  test('the props: the keystoneEndpoint API, the admin password beside the service password', () => {
    const props = readCustomResource(glance({ ...shared, secret: 'my-secret', keystoneEndpoint: 'api1', glanceAPIs: { api1: {}, api2: {} } }),
      ownUrls()).props;
    expect(props.keystone.registration).toEqual({ api: 'api1', adminPasswordSecret: { name: 'my-secret', key: 'AdminPassword' } });
  });

  test('the keystoneEndpoint API\'s Services are the endpoints, not another\'s', () => {
    const env = envOf(synthFromCr(glance({ ...shared, keystoneEndpoint: 'api2', glanceAPIs: { api1: {}, api2: {} } }), ownUrls()));
    expect([env.INTERNAL_URL, env.PUBLIC_URL]).toEqual(['http://glance-api2-internal.openstack.svc:9292', 'http://glance-api2-public.openstack.svc:9292']);
  });

  describe('the URLs Keystone lists: an override\'s endpointURL, --public-url, or the Services\'', () => {
    const plane = (api: object = {}) => ({
      kind: 'OpenStackControlPlane',
      metadata: { name: 'cloud', namespace: 'openstack' },
      spec: { glance: { template: { storage: { storageRequest: '10G' }, glanceAPIs: { default: { type: 'single', ...api } } } } },
    });
    const urls = (cr: unknown, options = crOptions()) => {
      const env = envOf(synthFromCr(cr, options));
      return [env.INTERNAL_URL, env.PUBLIC_URL];
    };

    test('a control plane\'s public endpoint is a Route, whose host the CR does not say: refused without --public-url, naming the Route', () => {
      let error: any;
      try {
        synthFromCr(plane(), ownUrls());
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ prop: '--public-url' });
      expect(error.message)
        .toMatch(/is an OpenShift Route.*Fix: give the URL clients reach Glance at.*oc get route glance-default-public.*registration false/s);
      expect(urls(plane())).toEqual(['https://glance-default-internal.openstack.svc:9292', ROUTE_URL]);
    });

    test('a control plane\'s LoadBalancer public Service is its own endpoint, as the operator makes no Route for it', () => {
      const lb = plane({ override: { service: { public: { spec: { type: 'LoadBalancer' } } } } });
      expect(urls(lb, ownUrls())).toEqual(['https://glance-default-internal.openstack.svc:9292', 'https://glance-default-public.openstack.svc:9292']);
    });

    test('an operator-managed Glance, as kubectl get glance -o yaml shows it: the endpointURLs openstack-operator wrote are registered', () => {
      const service = (url: string) => ({
        endpointURL: url,
        metadata: { labels: { 'osctlplane-service': 'glance', 'glance.openstack.org/apiName': 'default' } },
      });
      const exported = glance({
        ...shared,
        glanceAPIs: {
          default: {
            type: 'single',
            override: { service: { internal: service('https://glance-internal.example.com'), public: service(ROUTE_URL) } },
          },
        },
      });
      expect(urls(exported, ownUrls())).toEqual(['https://glance-internal.example.com', ROUTE_URL]);
      // The labels stay the Services'.
      const m = synthFromCr(exported, ownUrls());
      expect(m.find((o) => o.kind === 'Service' && o.metadata.name === 'glance-default-public')!.metadata.labels)
        .toMatchObject({ 'osctlplane-service': 'glance' });
    });

    test('another API\'s endpointURL is accepted without effect, as the operator registers only the keystoneEndpoint API', () => {
      const cr = glance({
        ...shared,
        keystoneEndpoint: 'a',
        glanceAPIs: { a: {}, b: { override: { service: { public: { endpointURL: 'https://b.example.com' } } } } },
      });
      expect(urls(cr, ownUrls())).toEqual(['http://glance-a-internal.openstack.svc:9292', 'http://glance-a-public.openstack.svc:9292']);
    });

    test('an endpointURL that is no http(s) URL is refused by its path; the CR\'s and --public-url together are refused', () => {
      const given = (url: unknown) => glance({ ...shared, glanceAPIs: { default: { override: { service: { internal: { endpointURL: url } } } } } });
      expectRejected(given('glance.example.com'), 'spec.glanceAPIs.default.override.service.internal.endpointURL');
      expectRejected(given(5), 'spec.glanceAPIs.default.override.service.internal.endpointURL');
      const both = glance({ ...shared, glanceAPIs: { default: { override: { service: { public: { endpointURL: 'https://a.example.com' } } } } } });
      expectRejected(both, '--public-url');
      expect(urls(both, ownUrls())[1]).toBe('https://a.example.com');
    });

    test('--public-url reaches the registration, and without registration neither is needed', () => {
      const dir = mkdtempSync(join(tmpdir(), 'public-url-'));
      writeFileSync(join(dir, 'plane.yaml'), JSON.stringify(plane()));
      const given = runCapturing(['synth', '--from', join(dir, 'plane.yaml'), '-o', dir, '--ceph-secret', 'c', '--public-url', 'https://images.example.com']);
      expect(given).toMatchObject({ code: 0, err: '' });
      const job = parseAllDocuments(readFileSync(join(dir, 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJS())
        .find((o) => o.kind === 'Job' && /keystone/.test(o.metadata.name));
      expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'PUBLIC_URL', value: 'https://images.example.com' });
      const missing = runCapturing(['synth', '--from', join(dir, 'plane.yaml'), '-o', dir, '--ceph-secret', 'c']);
      expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('cdk8s-glance: --public-url: is not given') });
      expect(runCapturing(['synth', '--from', join(dir, 'plane.yaml'), '-o', dir, '--ceph-secret', 'c', '--keystone-registration', 'false']).code)
        .toBe(0);
    });
  });

  test('unset with one API, that API (the operator\'s webhook defaults it so)', () => {
    expect(readCustomResource(glance({ glanceAPIs: { only: {} } }), crOptions()).props.keystone.registration?.api).toBe('only');
    expect(readCustomResource(glance({}), crOptions()).props.keystone.registration?.api).toBe('default');
  });

  test('unset with several APIs, refused as the operator refuses it; with keystoneRegistration false, accepted without a Job', () => {
    const cr = glance({ ...shared, glanceAPIs: { a: {}, b: {} } });
    expectRejected(cr, 'spec.keystoneEndpoint');
    expect(registrationJobs(synthFromCr(cr, { ...crOptions(), keystoneRegistration: false }))).toEqual([]);
  });

  test('an edge API as keystoneEndpoint is refused, as the operator\'s webhook refuses it', () => {
    expectRejected(glance({ ...shared, keystoneEndpoint: 'e', glanceAPIs: { c: {}, e: { type: 'edge' } } }), 'spec.keystoneEndpoint');
    expectRejected(glance({ ...shared, keystoneEndpoint: 'nope', glanceAPIs: { c: {} } }), 'spec.keystoneEndpoint');
  });

  test('a Secret named as the registration\'s own script Secret is refused at the CR\'s secret', () => {
    expectRejected(glance({ secret: 'glance-keystone' }), 'spec.secret');
  });

  test('in a control plane, the path is the template\'s', () => {
    const plane = parse(REFERENCE);
    plane.spec.glance.template.glanceAPIs = { a: {}, b: {} };
    delete plane.spec.glance.template.keystoneEndpoint;
    expectRejected(plane, 'spec.glance.template.keystoneEndpoint');
  });
});

describe('quotas, as the operator registers them', () => {
  const limitsOf = (m: Manifest[]) => envOf(m).REGISTERED_LIMITS;

  test('once any is above 0, all four, the sizes in MiB as the CR gives them', () => {
    expect(limitsOf(synthFromCr(glance({ quotas: { imageSizeTotal: 1000, imageStageTotal: 500, imageCountTotal: 100, imageCountUpload: 0 } }))))
      .toBe('image_size_total=1000,image_stage_total=500,image_count_total=100,image_count_uploading=0');
    expect(limitsOf(synthFromCr(glance({ quotas: { imageCountTotal: 5 } }))))
      .toBe('image_size_total=0,image_stage_total=0,image_count_total=5,image_count_uploading=0');
  });

  test('all at 0, the CRD default, none: no limits, no use_keystone_limits', () => {
    const m = synthFromCr(glance({ quotas: { imageSizeTotal: 0, imageStageTotal: 0, imageCountTotal: 0, imageCountUpload: 0 } }));
    expect(limitsOf(m)).toBeUndefined();
    expect(readCustomResource(glance({ quotas: {} }), crOptions()).props.quotas).toBeUndefined();
  });

  test('the props: quantities in MiB and counts', () => {
    expect(readCustomResource(glance({ quotas: { imageSizeTotal: 10, imageStageTotal: 2, imageCountTotal: 3, imageCountUpload: 1 } }), crOptions())
      .props.quotas).toEqual({ imageSizeTotal: '10Mi', imageStageTotal: '2Mi', imageCountTotal: 3, imageCountUploading: 1 });
  });

  test('refusals name the CR field or the flag', () => {
    expectRejected(glance({ quotas: { imageCountTotal: -1 } }), 'spec.quotas.imageCountTotal');
    expectRejected(glance({ quotas: { imageCountUpload: -2 } }), 'spec.quotas.imageCountUpload');
    expectRejected(glance({ quotas: { imageCountTotal: 1 } }), '--keystone-registration', { ...crOptions(), keystoneRegistration: false });
  });
});

describe('glanceAPIs.*.auth.applicationCredentialSecret', () => {
  const acOf = (spec: unknown) => readCustomResource(glance(spec), crOptions()).props.keystone.applicationCredentialSecret;

  test('one Secret named by every API is the deployment\'s; "" or unset everywhere, none', () => {
    const auth = { applicationCredentialSecret: 'ac-glance-secret' };
    expect(acOf({ ...shared, keystoneEndpoint: 'a', glanceAPIs: { a: { auth }, b: { auth } } })).toBe('ac-glance-secret');
    expect(acOf({ glanceAPIs: { a: { auth: { applicationCredentialSecret: '' } } } })).toBeUndefined();
    expect(acOf({ glanceAPIs: { a: { auth: {} } } })).toBeUndefined();
  });

  test('APIs that differ are refused by the one that differs: the library has one service user', () => {
    const spec = (b: unknown) => glance({
      ...shared, keystoneEndpoint: 'a', glanceAPIs: { a: { auth: { applicationCredentialSecret: 'ac-1' } }, b },
    });
    expectRejected(spec({ auth: { applicationCredentialSecret: 'ac-2' } }), 'spec.glanceAPIs.b.auth.applicationCredentialSecret');
    expectRejected(spec({}), 'spec.glanceAPIs.b.auth.applicationCredentialSecret');
  });

  test('the Secret\'s name is checked where it was written', () => {
    expectRejected(glance({ glanceAPIs: { default: { auth: { applicationCredentialSecret: 'AC_Secret' } } } }),
      'spec.glanceAPIs.default.auth.applicationCredentialSecret');
  });
});

describe('the notifications bus', () => {
  const SECRET = { name: 'rabbitmq-transport-url-glance-glance-transport-1a2b3c4d', key: 'transport_url' };
  const withSecret = { ...crOptions(), notificationsTransportUrlSecret: SECRET };
  const busOf = (cr: unknown) => readCustomResource(cr, withSecret).props.notifications;
  const planeWith = (template: object, bus?: object) => ({
    kind: 'OpenStackControlPlane',
    spec: { glance: { template: { glanceAPIs: { default: {} }, ...template } }, ...(bus ? { notificationsBus: bus } : {}) },
  });

  test('notificationsBus.cluster, or the deprecated notificationBusInstance, sends notifications through the Secret given', () => {
    expect(busOf(glance({ notificationsBus: { cluster: 'rabbitmq', user: 'glance', vhost: 'glance' } }))).toEqual({ transportUrlSecret: SECRET });
    expect(busOf(glance({ notificationBusInstance: 'rabbitmq' }))).toEqual({ transportUrlSecret: SECRET });
  });

  test('a control plane\'s spec.notificationsBus is its Glance\'s when the template has none, as openstack-operator passes it down', () => {
    expect(busOf(planeWith({}, { cluster: 'rabbitmq' }))).toEqual({ transportUrlSecret: SECRET });
    const none = (cr: unknown) => readCustomResource(cr, crOptions()).props.notifications;
    expect([none(planeWith({}, { cluster: '' })), none(planeWith({}))]).toEqual([undefined, undefined]);
  });

  test('without the option, the Secret infra-operator writes for the TransportURL the glance-operator makes: named after the Glance', () => {
    const read = (cr: unknown) => readCustomResource(cr, crOptions()).props.notifications;
    expect(read({ ...glance({ notificationsBus: { cluster: 'rabbitmq' } }), metadata: { name: 'images' } }))
      .toEqual({ transportUrlSecret: { name: 'rabbitmq-transport-url-images-glance-transport', key: 'transport_url' } });
    const plane = {
      kind: 'OpenStackControlPlane',
      spec: { glance: { serviceName: 'image', template: { glanceAPIs: { default: {} } } }, notificationsBus: { cluster: 'rabbitmq' } },
    };
    expect(read(plane))
      .toEqual({ transportUrlSecret: { name: 'rabbitmq-transport-url-image-glance-transport', key: 'transport_url' } });
    expect(read(glance({ notificationBusInstance: 'rabbitmq' }))?.transportUrlSecret.name).toBe('rabbitmq-transport-url-glance-glance-transport');
  });

  test('the Secret without a bus is refused by its flag: it would say the CR sends notifications', () => {
    expectRejected(glance({}), '--notifications-secret', withSecret);
  });

  test('no bus, and the CRD defaults: no notifications', () => {
    expect(readCustomResource(glance({ notificationBusInstance: '' }), crOptions()).props.notifications).toBeUndefined();
  });
});

describe('memcachedInstance: the token cache the operator points Glance at', () => {
  const serversOf = (cr: unknown, namespace?: string) => {
    const m = (() => {
      const chart = new Chart(Testing.app(), 'c', namespace ? { namespace } : {});
      Glance.fromCustomResource(chart, 'glance', cr, { ...crOptions(), keystoneRegistration: false });
      return Testing.synth(chart) as Manifest[];
    })();
    return glanceConf(m, 'glance-default-single').keystone_authtoken.memcached_servers;
  };
  const single = { glanceAPIs: { default: { type: 'single' } } };

  test('a Glance CR: the CRD default "memcached", one server (the Memcached CRD\'s default replicas) in the chart\'s namespace', () => {
    expect(serversOf(glance(single), 'openstack')).toBe('memcached-0.memcached.openstack.svc:11211');
    expect(serversOf(glance({ ...single, memcachedInstance: 'cache' }), 'cloud')).toBe('cache-0.cache.cloud.svc:11211');
  });

  test('a control plane: one server per replica of its Memcached template of that name', () => {
    const plane = (memcached: unknown) => ({ kind: 'OpenStackControlPlane', spec: { glance: { template: single }, memcached } });
    expect(serversOf(plane({ templates: { memcached: { replicas: 3 } } }), 'openstack'))
      .toBe(['memcached-0', 'memcached-1', 'memcached-2'].map((pod) => `${pod}.memcached.openstack.svc:11211`).join(','));
    expect(serversOf(plane({}), 'openstack')).toBe('memcached-0.memcached.openstack.svc:11211');
    expect(serversOf(plane({ enabled: false }), 'openstack')).toBeUndefined();
    expect(serversOf(plane({ templates: { memcached: { replicas: 0 } } }), 'openstack')).toBeUndefined();
  });

  test('"" means none; a chart without a namespace names the servers as its pods resolve them in their own', () => {
    expect(serversOf(glance({ ...single, memcachedInstance: '' }), 'openstack')).toBeUndefined();
    expect(serversOf(glance(single))).toBe('memcached-0.memcached:11211');
  });

  test('a name memcached cannot be reached by is refused at memcachedInstance', () => {
    expectRejected(glance({ ...single, memcachedInstance: 'Mem_Cache' }), 'spec.memcachedInstance');
  });
});

describe('the CLI\'s --keystone-registration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cr-registration-'));
  const from = join(dir, 'cr.yaml');
  writeFileSync(from, REFERENCE);
  const synth = (...flags: string[]) => {
    const out = join(dir, `out-${flags.join('-') || 'default'}`);
    const run = runCapturing(['synth', '--from', from, '-o', out, '--ceph-secret', 'ceph-conf-files', '--public-url', ROUTE_URL, ...flags]);
    expect([run.code, run.err]).toEqual([0, '']);
    return parseAllDocuments(readFileSync(join(out, 'glance.k8s.yaml'), 'utf8')).map((d) => d.toJSON() as Manifest);
  };

  test('on by default, off with false', () => {
    expect(registrationJobs(synth())).toHaveLength(1);
    expect(registrationJobs(synth('--keystone-registration', 'false'))).toEqual([]);
    expect(registrationJobs(synth('--keystone-registration=true'))).toHaveLength(1);
  });

  test('anything but true or false is a usage error', () => {
    const run = runCapturing(['synth', '--from', from, '--keystone-registration', 'yes']);
    expect(run.code).toBe(2);
    expect(run.err).toContain('--keystone-registration takes true or false, got "yes"');
  });
});
