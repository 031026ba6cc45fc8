/**
 * What a Glance deployment needs from the rest of the cloud, run as pods of the test cluster from
 * the same Debian image as Glance: a MariaDB (the `openstack` Service, as the operator names its
 * database), a Keystone (`keystone-internal`, the URL every example uses) with the admin and the
 * glance service user, the Secrets the examples name (glance-db, osp-secret, the Ceph files), and
 * an admin pod with the glance client, from which the tests type README's commands. Every pod is
 * restricted, as the namespace enforces. Also an outsider namespace and pod, for the NetworkPolicy checks.
 */
import { CLOUD_TRANSPORT_SECRET, NAMESPACE } from './deployments';

export const OUTSIDER_NAMESPACE = 'elsewhere';
export const ADMIN_POD = 'admin';
export const ADMIN_PASSWORD = 'admin-secret';
export const GLANCE_PASSWORD = 'glance-service-secret';
/** The databases MariaDB creates, one per deployment: glance for the examples, then the generated ones. */
export const DATABASES = ['glance', 'flow', 'flow30', 'nfsx', 'flowtls', 'flowcloud', 'cinderx'];
const DB_PASSWORD = 'glance-db-secret';
const RABBITMQ_USER = 'glance';
const RABBITMQ_PASSWORD = 'rabbit-secret';
/** The bus as oslo.messaging names it; the infra-operator's TransportURL Secret holds it as transport_url. */
export const TRANSPORT_URL = `rabbit://${RABBITMQ_USER}:${RABBITMQ_PASSWORD}@rabbitmq.${NAMESPACE}.svc:5672/`;

const RESTRICTED_POD = {
  runAsNonRoot: true, runAsUser: 42415, runAsGroup: 42415, fsGroup: 42415, seccompProfile: { type: 'RuntimeDefault' },
};
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

interface PodOptions {
  readonly labels?: Record<string, string>;
  readonly env?: any[];
  readonly port?: number;
  readonly ready?: string[];
  /** hostname and subdomain: the pod's own name under a headless Service, as a StatefulSet's pod has. */
  readonly hostname?: { readonly hostname: string; readonly subdomain: string };
}

/** A restricted pod running a bash script, with writable /work and /tmp. */
export function scriptPod(name: string, namespace: string, image: string, script: string, more: PodOptions = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name, ...more.labels } },
    spec: {
      automountServiceAccountToken: false,
      securityContext: RESTRICTED_POD,
      terminationGracePeriodSeconds: 1,
      ...more.hostname,
      containers: [{
        name,
        image,
        imagePullPolicy: 'Never',
        command: ['/bin/bash', '-euc', script],
        env: more.env ?? [],
        securityContext: RESTRICTED_CONTAINER,
        ports: more.port ? [{ containerPort: more.port }] : [],
        readinessProbe: more.ready ? { exec: { command: more.ready }, periodSeconds: 2 } : undefined,
        volumeMounts: [{ name: 'work', mountPath: '/work' }, { name: 'tmp', mountPath: '/tmp' }],
      }],
      volumes: [{ name: 'work', emptyDir: {} }, { name: 'tmp', emptyDir: {} }],
    },
  };
}

/**
 * A Service of an infrastructure pod. Keystone's publishes its pod before it is Ready: its own
 * set-up reaches it through the catalog's URL (this Service) while Ready waits for that set-up.
 */
function service(name: string, app: string, port: number, headless = false): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE },
    spec: { selector: { app }, ports: [{ port, targetPort: port }], publishNotReadyAddresses: true, ...(headless ? { clusterIP: 'None' } : {}) },
  };
}

/** The Secret with the URL of one of MariaDB's databases (glance-db for glance, else <db>-db), in a namespace. */
export function databaseSecret(db: string, namespace: string): any {
  return secret(db === 'glance' ? 'glance-db' : `${db}-db`, namespace,
    { connection: `mysql+pymysql://glance:${DB_PASSWORD}@openstack.${NAMESPACE}.svc/${db}?charset=utf8` });
}

/** A Secret of string data, as a user writes one. */
export function secret(name: string, namespace: string, data: Record<string, string>): any {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: data };
}

const MARIADB_SCRIPT = `
rm -rf /work/*
# --init-file runs one statement per line.
mariadb-install-db --no-defaults --datadir=/work/db --auth-root-authentication-method=normal --skip-test-db >/dev/null
{ for db in ${DATABASES.join(' ')}; do echo "CREATE DATABASE $db;"; done
  echo "CREATE USER 'glance'@'%' IDENTIFIED BY '${DB_PASSWORD}';"
  echo "GRANT ALL PRIVILEGES ON *.* TO 'glance'@'%';"; } >/work/init.sql
exec mariadbd --no-defaults --datadir=/work/db --socket=/tmp/mysqld.sock --bind-address=0.0.0.0 --port=3306 --skip-log-bin --skip-name-resolve \\
  --innodb-buffer-pool-size=64M --max-connections=500 --init-file=/work/init.sql --pid-file=/tmp/mysqld.pid`;

// As test/sandbox/keystone.ts runs it, but in a pod: sqlite in WAL mode, fernet tokens, uWSGI with
// one thread per worker; then the service project and the glance user with the admin role.
const KEYSTONE_SCRIPT = `
cd /work
# A restarted container finds its emptyDir as the last one left it.
rm -rf /work/* && mkdir -m 0700 fernet-keys credential-keys
printf '%s\\n' '[database]' 'connection = sqlite:////work/keystone.db' '[token]' 'provider = fernet' \\
  '[fernet_tokens]' 'key_repository = /work/fernet-keys' '[fernet_receipts]' 'key_repository = /work/fernet-keys' \\
  '[credential]' 'key_repository = /work/credential-keys' '[oslo_policy]' 'policy_file = /work/policy.yaml' \\
  'policy_dirs = /work/policy.d' '[oslo_concurrency]' 'lock_path = /work/lock' '[identity]' 'password_hash_rounds = 4' >keystone.conf
manage() { keystone-manage --config-file /work/keystone.conf "$@"; }
manage db_sync
python3 -c 'import sqlite3; sqlite3.connect("/work/keystone.db").execute("PRAGMA journal_mode=WAL")'
manage fernet_setup --keystone-user "$(id -u)" --keystone-group "$(id -g)"
manage credential_setup --keystone-user "$(id -u)" --keystone-group "$(id -g)"
url=http://keystone-internal.${NAMESPACE}.svc:5000/v3
manage bootstrap --bootstrap-username admin --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-project-name admin \\
  --bootstrap-role-name admin --bootstrap-service-name keystone --bootstrap-region-id regionOne \\
  --bootstrap-admin-url "$url" --bootstrap-internal-url "$url" --bootstrap-public-url "$url"
OS_KEYSTONE_CONFIG_DIR=/work OS_KEYSTONE_CONFIG_FILES=keystone.conf uwsgi --plugins python3 --http-socket :5000 \\
  --add-header 'Connection: close' --wsgi-file /usr/bin/keystone-wsgi-public --need-app --master --processes 2 --threads 1 \\
  --lazy-apps --die-on-term --buffer-size 65535 --chdir /work &
export OS_AUTH_URL=http://127.0.0.1:5000/v3 OS_USERNAME=admin OS_PASSWORD="$ADMIN_PASSWORD" OS_PROJECT_NAME=admin \\
  OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_IDENTITY_API_VERSION=3
until openstack token issue >/dev/null 2>&1; do sleep 1; done
openstack project create --or-show service >/dev/null
openstack user create --or-show --domain Default --password "$GLANCE_PASSWORD" glance >/dev/null
openstack role add --project service --user glance admin
for role in member reader; do openstack role create --or-show "$role" >/dev/null; done
touch /work/ready
wait`;

/**
 * A Ceph cluster of one monitor, no OSD: glance_store reads the fsid from its rbd store's cluster
 * when Glance starts, and Glance does not start without an answer. The examples' Secrets name it
 * by its Service; the client key is made by the test. Images cannot be written without OSDs: the
 * image cache checks run on the file store.
 */
export const CEPH_FSID = '6a1c1a2e-1f00-4c1b-9a6e-000000000001';
const CEPH_MON_SCRIPT = `
cd /work && rm -rf /work/*
ip=$(hostname -i)
printf '%s\\n' '[global]' "fsid = ${CEPH_FSID}" "mon_host = $ip:6789" 'mon_data = /work/data' 'run_dir = /work' \\
  'admin_socket = /work/$name.asok' 'log_to_stderr = true' 'mon_cluster_log_to_file = false' \
'auth_allow_insecure_global_id_reclaim = false' >ceph.conf
ceph-authtool --create-keyring mon.keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool mon.keyring --add-key "$CLIENT_KEY" -n client.openstack --cap mon 'profile rbd' --cap osd 'profile rbd' >/dev/null
monmaptool --create --add a "$ip:6789" --fsid ${CEPH_FSID} monmap >/dev/null
mkdir data && ceph-mon -c ceph.conf --mkfs -i a --monmap monmap --keyring mon.keyring
exec ceph-mon -c ceph.conf -i a -f`;

// Debian's rabbitmq-server as test/sandbox/rabbitmq.ts runs it, in a pod: the test's user on every
// address (loopback_users none: Glance connects from its pods), no plugins, its files in /work; the
// Erlang distribution and epmd on 127.0.0.1 only.
const RABBITMQ_SCRIPT = `
cd /work && rm -rf /work/* /work/.erlang.cookie
printf '%s\\n' 'listeners.tcp.default = 5672' "default_user = $RABBITMQ_USER" "default_pass = $RABBITMQ_PASSWORD" \\
  'loopback_users = none' 'log.console = true' 'log.file = false' >rabbitmq.conf
echo '[].' >enabled_plugins
export HOME=/work RABBITMQ_NODENAME=rabbit@localhost RABBITMQ_CONFIG_FILE=/work/rabbitmq RABBITMQ_MNESIA_BASE=/work/mnesia \\
  RABBITMQ_LOG_BASE=/work/log RABBITMQ_ENABLED_PLUGINS_FILE=/work/enabled_plugins ERL_EPMD_ADDRESS=127.0.0.1 \\
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
exec /usr/lib/rabbitmq/bin/rabbitmq-server`;

/** Ready once something accepts on the port (bash's /dev/tcp: a rabbitmq-diagnostics probe starts an Erlang VM each time). */
const listening = (port: number) => ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`];

/** The restricted label of a namespace: enforced, not only warned. */
export function restrictedNamespace(name: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
  };
}

/** The admin's environment: Keystone's URL and the admin's credentials, as an operator's shell has them. */
export function adminEnv(): any[] {
  return [
    { name: 'OS_AUTH_URL', value: `http://keystone-internal.${NAMESPACE}.svc:5000/v3` },
    { name: 'OS_USERNAME', value: 'admin' },
    { name: 'OS_PASSWORD', valueFrom: { secretKeyRef: { name: 'keystone-admin', key: 'password' } } },
    { name: 'OS_PROJECT_NAME', value: 'admin' },
    { name: 'OS_USER_DOMAIN_NAME', value: 'Default' },
    { name: 'OS_PROJECT_DOMAIN_NAME', value: 'Default' },
    // bookworm's python3-glanceclient fails to parse its arguments without it (--stores twice).
    { name: 'OS_IMAGE_API_VERSION', value: '2' },
  ];
}

/** Everything but the Glance deployments, in the order to apply it. */
export function infrastructure(image: string, cephClientKey: string): any[] {
  const ceph = {
    'ceph.conf': `[global]\nfsid = ${CEPH_FSID}\nmon_host = ceph-mon.${NAMESPACE}.svc:6789\n`,
    'ceph.client.openstack.keyring': `[client.openstack]\n\tkey = ${cephClientKey}\n`,
  };
  return [
    restrictedNamespace(NAMESPACE),
    restrictedNamespace(OUTSIDER_NAMESPACE),
    secret('keystone-admin', NAMESPACE, { password: ADMIN_PASSWORD }),
    secret('keystone-admin', OUTSIDER_NAMESPACE, { password: ADMIN_PASSWORD }),
    // The operator's convention: the service user's and the Keystone admin's passwords in one Secret.
    secret('osp-secret', NAMESPACE, { GlancePassword: GLANCE_PASSWORD, AdminPassword: ADMIN_PASSWORD }),
    ...DATABASES.map((db) => databaseSecret(db, NAMESPACE)),
    secret(CLOUD_TRANSPORT_SECRET.name, NAMESPACE, { [CLOUD_TRANSPORT_SECRET.key]: TRANSPORT_URL }),
    // The Ceph examples' files: the monitor below.
    secret('ceph-conf-files', NAMESPACE, ceph),
    secret('ceph-conf-az1', NAMESPACE, ceph),
    service('openstack', 'mariadb', 3306),
    service('keystone-internal', 'keystone', 5000),
    // Headless: a Ceph client checks that the monitor it reached has the address it dialled, which a Service's virtual IP is not.
    service('ceph-mon', 'ceph-mon', 6789, true),
    service('rabbitmq', 'rabbitmq', 5672),
    // Headless, as the Memcached's own Service: its replica's name (above) resolves, and so does the Service's.
    service('memcached', 'memcached', 11211, true),
    scriptPod('ceph-mon', NAMESPACE, image, CEPH_MON_SCRIPT, {
      port: 6789,
      ready: ['test', '-S', '/work/mon.a.asok'],
      env: [{
        name: 'CLIENT_KEY',
        value: cephClientKey,
      }],
    }),
    scriptPod('mariadb', NAMESPACE, image, MARIADB_SCRIPT, {
      port: 3306,
      ready: ['mariadb', '--no-defaults', '--socket=/tmp/mysqld.sock', '-uroot',
        '-e', 'SELECT 1'],
    }),
    scriptPod('keystone', NAMESPACE, image, KEYSTONE_SCRIPT, {
      port: 5000,
      ready: ['test', '-e', '/work/ready'],
      env: [{ name: 'ADMIN_PASSWORD', value: ADMIN_PASSWORD }, { name: 'GLANCE_PASSWORD', value: GLANCE_PASSWORD }],
    }),
    scriptPod('rabbitmq', NAMESPACE, image, RABBITMQ_SCRIPT, {
      port: 5672,
      ready: listening(5672),
      env: [{ name: 'RABBITMQ_USER', value: RABBITMQ_USER }, { name: 'RABBITMQ_PASSWORD', value: RABBITMQ_PASSWORD }],
    }),
    // Named as infra-operator's Memcached "memcached" names its replica: memcached-0.memcached.<namespace>.svc.
    scriptPod('memcached', NAMESPACE, image, 'exec memcached --listen=0.0.0.0 --port=11211 --udp-port=0 --memory-limit=64', {
      port: 11211,
      ready: listening(11211),
      hostname: { hostname: 'memcached-0', subdomain: 'memcached' },
    }),
    scriptPod(ADMIN_POD, NAMESPACE, image, 'exec sleep infinity', { env: adminEnv() }),
    scriptPod('outsider', OUTSIDER_NAMESPACE, image, 'exec sleep infinity', { env: adminEnv() }),
  ];
}
