/**
 * keystone.memcachedServers: the token cache every replica shares, as the glance-operator
 * configures it ([keystone_authtoken] memcached_servers and its pool settings).
 */
import { BASE_PROPS, expectInvalid, find, glanceConf, parseIniText, synthGlance } from './helpers';

const STS = 'glance-default-single';
const SERVERS = ['memcached-0.memcached.openstack.svc:11211', 'memcached-1.memcached.openstack.svc:11211'];
const withServers = (memcachedServers: unknown, more: object = {}) =>
  synthGlance({ keystone: { ...BASE_PROPS.keystone, memcachedServers: memcachedServers as string[] }, ...more });

describe('keystone.memcachedServers', () => {
  test('writes the servers, comma-separated in order, with the operator\'s pool settings and the eventlet-safe pool', () => {
    expect(glanceConf(withServers(SERVERS), STS).keystone_authtoken).toEqual(expect.objectContaining({
      memcached_servers: SERVERS.join(','),
      memcache_pool_dead_retry: '10',
      memcache_pool_conn_get_timeout: '2',
      memcache_use_advanced_pool: 'true',
    }));
  });

  test('unset, no process is pointed at a memcached: each caches tokens in its own memory', () => {
    const manifests = synthGlance({ imageCache: { size: '1Gi' } });
    const configs = manifests.filter((m) => m.kind === 'Secret' && m.stringData?.['00-glance.conf']);
    expect(configs.length).toBeGreaterThan(1);
    for (const secret of configs) {
      expect(Object.keys(parseIniText(secret.stringData['00-glance.conf']).keystone_authtoken)).not.toContain('memcached_servers');
    }
  });

  test('every config Secret carries it: the API\'s and the database jobs\'', () => {
    const manifests = withServers(SERVERS);
    for (const name of [`${STS}-config`, 'glance-db-config']) {
      expect(parseIniText(find(manifests, 'Secret', name).stringData['00-glance.conf']).keystone_authtoken.memcached_servers).toBe(SERVERS.join(','));
    }
  });

  test('an IPv6 address as python-memcached reads it, and an IPv4 address, are servers too', () => {
    expect(glanceConf(withServers(['inet6:[fd00::11]:11211', '10.0.0.5:11211']), STS).keystone_authtoken.memcached_servers)
      .toBe('inet6:[fd00::11]:11211,10.0.0.5:11211');
  });

  test('with it set, customServiceConfig may not set the options it writes, by either name', () => {
    for (const option of ['memcached_servers', 'memcache_servers', 'memcache_pool_dead_retry']) {
      expectInvalid(() => withServers(SERVERS, { customServiceConfig: `[keystone_authtoken]\n${option} = other:11211\n` }), 'customServiceConfig',
        /overrides an option cdk8s-glance manages.*Fix: remove it and set keystone\.memcachedServers/);
    }
  });

  test('without it, customServiceConfig may still point the token cache at a memcached', () => {
    const manifests = synthGlance({ customServiceConfig: '[keystone_authtoken]\nmemcached_servers = m:11211\n' });
    expect(glanceConf(manifests, STS).keystone_authtoken.memcached_servers).toBeUndefined();
    expect(Object.values(find(manifests, 'Secret', `${STS}-config`).stringData).join('\n')).toContain('memcached_servers = m:11211');
  });

  test.each([
    [[], 'keystone.memcachedServers', /is not a list of memcached servers/],
    ['m:11211', 'keystone.memcachedServers', /is not a list of memcached servers/],
    [['memcached'], 'keystone.memcachedServers[0]', /is not a memcached server as host:port/],
    [['m:11211', 'm:0'], 'keystone.memcachedServers[1]', /"m:0"/],
    [['m:65536'], 'keystone.memcachedServers[0]', /host:port/],
    [['-bad-.svc:11211'], 'keystone.memcachedServers[0]', /host:port/],
    [['fd00::1:11211'], 'keystone.memcachedServers[0]', /inet6:\[fd00::1\]:11211/],
    [['[fd00::1]:11211'], 'keystone.memcachedServers[0]', /host:port/],
    [['inet6:fd00::1:11211'], 'keystone.memcachedServers[0]', /host:port/],
    [['m:11211\n[DEFAULT]'], 'keystone.memcachedServers[0]', /host:port/],
  ])('%j is refused under %s', (servers, prop, message) => {
    expectInvalid(() => withServers(servers), prop, message);
  });
});
