/**
 * notifications on real Glance 25.1.0, real Keystone 22 and Debian's RabbitMQ 3.10: the API sends
 * image events with oslo.messaging's messagingv2 driver to the bus whose transport URL is in a
 * Secret (the openstack-k8s-operators' TransportURL layout), and a consumer takes them off
 * `notifications.info` as Ceilometer's agent would. The bus's password carries a `$`, which must
 * reach oslo.messaging as written. RabbitMQ listens on a loopback address of the test, named
 * `rabbitmq.openstack.svc` in the pods' /etc/hosts. With `tls`, as the operator's control plane
 * with TLS on: the deployment has the CA bundle, the transport URL names RabbitMQ's TLS port (which
 * speaks nothing else) and Glance checks the bus's certificate against the bundle.
 */
import { App, Chart, Testing } from 'cdk8s';
import { Glance, GlanceRelease, ImageBackend } from '../../lib';
import { BASE_PROPS, find, Manifest } from '../helpers';
import { GLANCE_IMAGES, realKeystone, requireRealGlance, SandboxedGlance } from './sandboxed-glance';
import { Keystone, requireKeystone } from '../sandbox/keystone';
import { Notification, RabbitMq } from '../sandbox/rabbitmq';
import { CA_BUNDLE_KEY, TestPki } from '../sandbox/tls';
import { until } from '../waiting';

const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const GLANCE_PASSWORD = 'e2e-glance-service-password';
const KEYSTONE_HOST = `keystone-internal.${NAMESPACE}.svc`;
const RABBIT_HOST = `rabbitmq.${NAMESPACE}.svc`;
const TRANSPORT_SECRET = { name: 'rabbitmq-transport-url-glance-glance-transport', key: 'transport_url' };
const BUNDLE_SECRET = { name: 'combined-ca-bundle', key: CA_BUNDLE_KEY };

export function notificationsScenario(tls: boolean): void {
  const pki = tls ? new TestPki() : undefined;
  const keystone = new Keystone();
  const rabbit = new RabbitMq('glance', 'e2e-$rabbit-password', pki?.issue('rabbitmq', { dnsNames: [RABBIT_HOST] }));
  let glance: SandboxedGlance;
  let memberToken: string;
  const received: Notification[] = [];

  function synthesize(): Manifest[] {
    const chart = new Chart(new App(), 'e2e', { namespace: NAMESPACE });
    new Glance(chart, 'glance', {
      ...BASE_PROPS,
      release: GlanceRelease.ZED,
      keystone: { authUrl: keystone.urlAt(KEYSTONE_HOST), passwordSecret: { name: 'osp-secret', key: 'GlancePassword' } },
      notifications: { transportUrlSecret: TRANSPORT_SECRET },
      backend: ImageBackend.file({ sharedStore: { existingClaimName: 'glance-images-nfs' } }),
      ...(tls ? { tls: { caBundleSecret: BUNDLE_SECRET } } : {}),
    });
    return Testing.synth(chart) as Manifest[];
  }

  function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    return glance.request(0, memberToken, method, path, body);
  }

  /** The event types received so far for one image, in the order the bus delivered them. */
  async function eventsOf(id: string): Promise<string[]> {
    received.push(...await rabbit.drain('notifications.info'));
    return received.filter((n) => n.payload?.id === id || n.payload?.image_id === id).map((n) => n.event_type);
  }

  beforeAll(async () => {
    requireRealGlance(GLANCE_IMAGES.bookworm);
    requireKeystone();
    await Promise.all([rabbit.start(), keystone.start()]);
    const { member } = await keystone.setupGlanceIdentities(GLANCE_PASSWORD, `http://glance-default.${NAMESPACE}.svc:9292`);
    glance = new SandboxedGlance(synthesize(), STS, NAMESPACE, { 'glance-images-nfs': '1Gi' }, GLANCE_IMAGES.bookworm, {
      'osp-secret': { GlancePassword: GLANCE_PASSWORD },
      [TRANSPORT_SECRET.name]: { [TRANSPORT_SECRET.key]: rabbit.transportUrl(RABBIT_HOST, tls) },
      ...(pki ? { [BUNDLE_SECRET.name]: { [BUNDLE_SECRET.key]: pki.caBundle() } } : {}),
    }, { keystone: realKeystone(keystone, KEYSTONE_HOST, { [RABBIT_HOST]: rabbit.address }) });
    await glance.prepare();
    await glance.start(0);
    memberToken = await keystone.token(member.name, member.password, 'demo');
  });

  afterAll(async () => {
    await glance?.destroy();
    await keystone.stop();
    await rabbit.stop();
    pki?.remove();
  });

  describe(`notifications to a real RabbitMQ${tls ? ', over TLS' : ''}`, () => {
    test('create, upload and delete of an image arrive on notifications.info: image.create, image.upload, image.delete', async () => {
      const created = await call('POST', '/v2/images', { name: 'notified', disk_format: 'raw', container_format: 'bare' });
      expect(created.status).toBe(201);
      const id = created.body.id;
      expect((await call('PUT', `/v2/images/${id}/file`, new Uint8Array(64 * 1024).fill(5))).status).toBe(204);
      expect((await call('DELETE', `/v2/images/${id}`)).status).toBe(204);
      await until('image.create, image.upload and image.delete have arrived', async () => {
        const events = await eventsOf(id);
        return ['image.create', 'image.upload', 'image.delete'].every((event) => events.includes(event));
      }, { everyMs: 500 });
      const events = await eventsOf(id);
      console.log(`notifications for one image: ${events.join(', ')}`);
      expect(events.indexOf('image.create')).toBeLessThan(events.indexOf('image.upload'));
      expect(events.indexOf('image.upload')).toBeLessThan(events.indexOf('image.delete'));
      const upload = received.find((n) => n.event_type === 'image.upload' && n.payload.id === id)!;
      expect([upload.priority, upload.publisher_id, upload.payload.size]).toEqual(['INFO', expect.stringMatching(/^image\./), 64 * 1024]);
    });

    test('the transport URL and its password are in no config file: the container\'s environment has it from the Secret', () => {
      const secrets = glance.manifests.filter((m) => m.kind === 'Secret').map((m) => JSON.stringify(m.stringData ?? {})).join('\n');
      expect(secrets).not.toContain('rabbit://');
      expect(secrets).not.toContain(rabbit.password);
      const env = find(glance.manifests, 'StatefulSet', STS).spec.template.spec.containers[0].env;
      expect(env).toContainEqual({ name: 'OS_OSLO_MESSAGING_NOTIFICATIONS__TRANSPORT_URL', valueFrom: { secretKeyRef: TRANSPORT_SECRET } });
      expect(glance.glanceConf.oslo_messaging_notifications).toEqual({ driver: 'messagingv2', topics: 'notifications' });
    });

    if (tls) {
      test('over TLS: the transport URL names the TLS port, and Glance checks the bus\'s certificate against the deployment\'s CA bundle', () => {
        expect(rabbit.transportUrl(RABBIT_HOST, tls)).toContain(`:${rabbit.tlsPort}/`);
        expect(glance.glanceConf.oslo_messaging_rabbit).toEqual({ ssl: 'true', ssl_ca_file: '/etc/glance/tls/ca/tls-ca-bundle.pem' });
      });
    }
  });
}
