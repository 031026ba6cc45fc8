import { GlanceNotificationOptions } from './common-props';
import { GlanceValidationError } from './errors';
import { checkBoolean, checkSecretKey } from './names';
import { ResolvedTls } from './tls/resolve';

// notifications: image events on a message bus through oslo.messaging (messagingv2), the
// transport URL from a Secret into the environment, TLS and quorum queues as the operator sets them.

/** The notifications, checked, with their defaults. */
export interface ResolvedNotifications {
  readonly transportUrlSecret: GlanceNotificationOptions['transportUrlSecret'];
  readonly topics: string[];
  readonly tls: boolean;
  readonly quorumQueues: boolean;
}

/** Checks the notifications and fills in their defaults; undefined without. */
export function resolveNotifications(options: GlanceNotificationOptions | undefined, tls: ResolvedTls): ResolvedNotifications | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GlanceValidationError('notifications', options, 'is not an object',
      'give e.g. { transportUrlSecret: { name: "rabbitmq-transport-url-glance", key: "transport_url" } }');
  }
  checkSecretKey('notifications.transportUrlSecret', options.transportUrlSecret);
  const topics = options.topics ?? ['notifications'];
  if (!Array.isArray(topics) || topics.length === 0) {
    throw new GlanceValidationError('notifications.topics', topics, 'is not a list of topics', 'give e.g. ["notifications"], or leave it unset');
  }
  topics.forEach((topic, i) => {
    // oslo.config reads the list comma-separated: a topic is a routing key's first part.
    if (typeof topic !== 'string' || !/^[A-Za-z0-9_.-]{1,200}$/.test(topic)) {
      throw new GlanceValidationError(`notifications.topics[${i}]`, topic, 'is not a topic name',
        'use letters, digits, "_", "." and "-", e.g. "notifications"');
    }
  });
  for (const key of ['tls', 'quorumQueues'] as const) {
    checkBoolean(`notifications.${key}`, options[key]);
  }
  return {
    transportUrlSecret: options.transportUrlSecret,
    topics,
    tls: options.tls ?? tls.caBundle !== undefined,
    quorumQueues: options.quorumQueues ?? false,
  };
}

/** The sections notifications write into the API's glance.conf (the transport URL comes from the environment). */
export function notificationSections(notifications: ResolvedNotifications, caFile: string | undefined)
  : Record<string, Record<string, string | boolean>> {
  const rabbit: Record<string, string | boolean> = {
    ...(notifications.tls ? { ssl: true, ...(caFile ? { ssl_ca_file: caFile } : {}) } : {}),
    // As the glance-operator writes them for a bus with quorum queues.
    ...(notifications.quorumQueues ? { rabbit_quorum_queue: true, rabbit_transient_quorum_queue: true, amqp_durable_queues: true } : {}),
  };
  return {
    oslo_messaging_notifications: { driver: 'messagingv2', topics: notifications.topics.join(',') },
    ...(Object.keys(rabbit).length ? { oslo_messaging_rabbit: rabbit } : {}),
  };
}

/** The environment variable that carries the transport URL, from its Secret. */
export const TRANSPORT_URL_ENV = 'OS_OSLO_MESSAGING_NOTIFICATIONS__TRANSPORT_URL';

/** What customServiceConfig may not set with notifications. */
export const NOTIFICATION_MANAGED_OPTIONS: Record<string, string> = Object.fromEntries([
  'oslo_messaging_notifications.transport_url', 'oslo_messaging_notifications.driver', 'oslo_messaging_notifications.topics',
  'oslo_messaging_rabbit.ssl', 'oslo_messaging_rabbit.ssl_ca_file', 'oslo_messaging_rabbit.rabbit_quorum_queue',
  'oslo_messaging_rabbit.rabbit_transient_quorum_queue', 'oslo_messaging_rabbit.amqp_durable_queues',
].map((option) => [option, 'notifications']));
