/**
 * notifications on the synthesized output: [oslo_messaging_notifications], the transport URL from
 * its Secret into the API's environment only, TLS and quorum queues to the bus, and what is refused.
 * Real Glance and RabbitMQ: test/e2e/notifications.test.ts.
 */
import { GlanceNotificationOptions, GlanceProps } from '../lib';
import { expectInvalid, find, glanceConf, Manifest, synthGlance } from './helpers';

const STS = 'glance-default-single';
const SECRET = { name: 'rabbitmq-transport-url-glance-glance-transport', key: 'transport_url' };
const BUNDLE = { name: 'combined-ca-bundle', key: 'tls-ca-bundle.pem' };
const notified = (options: Partial<GlanceNotificationOptions> = {}, more: Partial<GlanceProps> = {}) =>
  synthGlance({ notifications: { transportUrlSecret: SECRET, ...options }, ...more });
const containers = (m: Manifest[]) => m.flatMap((o) => {
  const template = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : ['StatefulSet', 'Job'].includes(o.kind) ? o.spec.template : undefined;
  const pod = template?.spec;
  return pod ? [...pod.containers, ...pod.initContainers ?? []].map((c: any) => ({ where: `${o.kind}/${o.metadata.name}/${c.name}`, c })) : [];
});

describe('notifications', () => {
  test('the messagingv2 driver on the default topic; the URL only in the API container\'s environment, from its Secret', () => {
    const m = notified();
    expect(glanceConf(m, STS).oslo_messaging_notifications).toEqual({ driver: 'messagingv2', topics: 'notifications' });
    expect(glanceConf(m, STS).oslo_messaging_rabbit).toBeUndefined();
    const withUrl = containers(m).filter(({ c }) => (c.env ?? []).some((e: any) => e.name === 'OS_OSLO_MESSAGING_NOTIFICATIONS__TRANSPORT_URL'));
    expect(withUrl.map(({ where }) => where)).toEqual([`StatefulSet/${STS}/glance-api`]);
    expect(withUrl[0].c.env).toContainEqual({ name: 'OS_OSLO_MESSAGING_NOTIFICATIONS__TRANSPORT_URL', valueFrom: { secretKeyRef: SECRET } });
  });

  test('without notifications, no driver and no URL, as before', () => {
    const m = synthGlance({});
    expect([glanceConf(m, STS).oslo_messaging_notifications, glanceConf(m, STS).oslo_messaging_rabbit]).toEqual([undefined, undefined]);
  });

  test('several topics, comma-separated as oslo.config reads a list', () => {
    expect(glanceConf(notified({ topics: ['notifications', 'glance_audit'] }), STS).oslo_messaging_notifications.topics)
      .toBe('notifications,glance_audit');
  });

  test('with a CA bundle, TLS to the bus by default, verified against it; off when asked', () => {
    expect(glanceConf(notified({}, { tls: { caBundleSecret: BUNDLE } }), STS).oslo_messaging_rabbit)
      .toEqual({ ssl: 'true', ssl_ca_file: '/etc/glance/tls/ca/tls-ca-bundle.pem' });
    expect(glanceConf(notified({ tls: false }, { tls: { caBundleSecret: BUNDLE } }), STS).oslo_messaging_rabbit).toBeUndefined();
    // Without a bundle: the system's trust.
    expect(glanceConf(notified({ tls: true }), STS).oslo_messaging_rabbit).toEqual({ ssl: 'true' });
  });

  test('quorum queues as the operator writes them', () => {
    expect(glanceConf(notified({ quorumQueues: true }), STS).oslo_messaging_rabbit)
      .toEqual({ rabbit_quorum_queue: 'true', rabbit_transient_quorum_queue: 'true', amqp_durable_queues: 'true' });
  });

  test('customServiceConfig may then not set what notifications write, the URL above all', () => {
    const written = ['[oslo_messaging_notifications]\ntopics = audit\n', '[oslo_messaging_rabbit]\nssl_ca_file = /etc/ssl/bus.pem\n',
      '[oslo_messaging_rabbit]\nrabbit_quorum_queue = false\n', '[oslo_messaging_rabbit]\nrabbit_transient_quorum_queue = false\n',
      '[oslo_messaging_rabbit]\namqp_durable_queues = false\n'];
    for (const ini of ['[oslo_messaging_notifications]\ntransport_url = rabbit://u:p@h/\n', '[oslo_messaging_notifications]\ndriver = noop\n',
      '[oslo_messaging_rabbit]\nssl = false\n', ...written]) {
      expectInvalid(() => notified({}, { customServiceConfig: ini }), 'customServiceConfig',
        /overrides an option cdk8s-glance manages.*notifications/);
    }
  });

  test.each([
    ['not an object', 'rabbit', 'notifications', /is not an object/],
    ['null', null, 'notifications', /is not an object/],
    ['a list', [SECRET], 'notifications', /is not an object/],
    ['no Secret', { transportUrlSecret: undefined }, 'notifications.transportUrlSecret', /is required/],
    ['a bad Secret name', { transportUrlSecret: { name: 'Rabbit', key: 'transport_url' } }, 'notifications.transportUrlSecret.name', /DNS-1123/],
    ['no topics', { transportUrlSecret: SECRET, topics: [] }, 'notifications.topics', /is not a list of topics/],
    ['a topic with a comma', { transportUrlSecret: SECRET, topics: ['a,b'] }, 'notifications.topics[0]', /is not a topic name/],
    ['a topic that is a number', { transportUrlSecret: SECRET, topics: ['audit', 5] }, 'notifications.topics[1]', /is not a topic name/],
    ['tls not a boolean', { transportUrlSecret: SECRET, tls: 'yes' }, 'notifications.tls', /is not a boolean/],
    ['quorumQueues not a boolean', { transportUrlSecret: SECRET, quorumQueues: 1 }, 'notifications.quorumQueues', /is not a boolean/],
  ])('%s is refused', (_what, notifications, prop, message) => {
    expectInvalid(() => synthGlance({ notifications: notifications as any }), prop, message);
  });

  test('the Secret may not take the name of one the chart makes', () => {
    expectInvalid(() => notified({ transportUrlSecret: { name: 'glance-db-config', key: 'transport_url' } }), 'notifications.transportUrlSecret.name',
      /names a Secret that this chart creates/);
  });

  test('the StatefulSet keeps its name and the config hash changes: a rollout, not a new workload', () => {
    const [before, after] = [synthGlance({}), notified()];
    const hash = (m: Manifest[]) => find(m, 'StatefulSet', STS).spec.template.metadata.annotations['glance.openstack.org/config-hash'];
    expect(hash(before)).not.toBe(hash(after));
  });
});
