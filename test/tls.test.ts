/**
 * TLS (issue 23): the API pods' TLS terminator, the certificates (issued by cert-manager or
 * brought as Secrets), and the CA bundle of every Glance container, on the synthesized output.
 * What Apache, Glance and the clients make of it is checked in test/e2e.
 */
import { Chart, Testing } from 'cdk8s';
import { Glance, GlanceApiType, GlanceProps, GlanceRelease, ImageBackend } from '../lib';
import {
  BASE_PROPS, cinder, expectInvalid, expectMountsResolve, expectRestrictedPod, find, glanceConf, Manifest, ofKind, podSpecs, s3, synthApp,
  synthGlance,
} from './helpers';

const BUNDLE = { name: 'combined-ca-bundle', key: 'tls-ca-bundle.pem' };
const CA_FILE = '/etc/glance/tls/ca/tls-ca-bundle.pem';
const ISSUED = { caBundleSecret: BUNDLE, issuer: { name: 'rootca-internal' }, publicIssuer: { name: 'rootca-public' } };

const statefulSet = (m: Manifest[], name: string) => find(m, 'StatefulSet', name).spec.template.spec;
const container = (spec: any, name: string) => spec.containers.find((c: any) => c.name === name);
const envOf = (c: any) => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
const files = (m: Manifest[], sts: string) => find(m, 'Secret', `${sts}-config`).stringData;

describe('without tls', () => {
  test('the API serves plain HTTP from glance-api itself: no terminator, no certificate, no CA bundle', () => {
    const m = synthGlance({ imageCache: { size: '10Gi', precache: { images: ['cirros'] } } });
    const spec = statefulSet(m, 'glance-default-single');
    expect(spec.containers.map((c: any) => c.name)).toEqual(['glance-api']);
    const api = container(spec, 'glance-api');
    expect(api.ports).toEqual([{ name: 'glance-api', containerPort: 9292 }]);
    expect(api.readinessProbe.httpGet).toEqual({ path: '/healthcheck', port: 9292 });
    expect(envOf(api).OS_DEFAULT__WORKER_SELF_REFERENCE_URL).toBe('http://$(POD_NAME).glance-default-single.$(POD_NAMESPACE).svc:9292');
    expect(ofKind(m, 'Certificate')).toEqual([]);
    expect(Object.keys(files(m, 'glance-default-single'))).not.toContain('glance-httpd.cfg');
    const conf = glanceConf(m, 'glance-default-single');
    expect([conf.DEFAULT.bind_host, conf.DEFAULT.bind_port, conf.oslo_middleware.enable_proxy_headers_parsing]).toEqual(['0.0.0.0', '9292', 'false']);
    expect(conf.keystone_authtoken.cafile).toBeUndefined();
    expect(conf.database).toBeUndefined();
    for (const { where, spec: pod } of podSpecs(m)) {
      expect([where, (pod.volumes ?? []).filter((v: any) => v.name === 'ca-bundle')]).toEqual([where, []]);
    }
  });
});

describe('certificates from a cert-manager issuer', () => {
  const m = synthGlance({ tls: ISSUED, apis: { default: { type: GlanceApiType.SINGLE, replicas: 1 } } });

  test('one Certificate per endpoint, named as the openstack-operator names Glance\'s, from its issuer', () => {
    expect(ofKind(m, 'Certificate').map((c) => [c.metadata.name, c.spec.secretName, c.spec.issuerRef])).toEqual([
      ['glance-default-internal-svc', 'cert-glance-default-internal-svc', { name: 'rootca-internal', kind: 'Issuer', group: 'cert-manager.io' }],
      ['glance-default-public-svc', 'cert-glance-default-public-svc', { name: 'rootca-public', kind: 'Issuer', group: 'cert-manager.io' }],
    ]);
  });

  test('each covers its Service\'s names and every replica\'s hostname, for five years, as a server certificate', () => {
    const internal = find(m, 'Certificate', 'glance-default-internal-svc').spec;
    expect(internal.dnsNames).toEqual(['glance-default.openstack.svc', 'glance-default.openstack.svc.cluster.local',
      '*.glance-default-single.openstack.svc', '*.glance-default-single.openstack.svc.cluster.local']);
    expect(find(m, 'Certificate', 'glance-default-public-svc').spec.dnsNames).toEqual(['glance-default-public.openstack.svc',
      'glance-default-public.openstack.svc.cluster.local', '*.glance-default-single.openstack.svc',
      '*.glance-default-single.openstack.svc.cluster.local']);
    expect([internal.duration, internal.usages]).toEqual(['43800h', ['key encipherment', 'digital signature', 'server auth']]);
  });

  test('the Certificates come before the StatefulSet that mounts their Secrets', () => {
    const order = m.map((o) => o.kind);
    expect(order.lastIndexOf('Certificate')).toBeLessThan(order.indexOf('StatefulSet'));
  });

  test('publicIssuer defaults to issuer, kind and group are kept, and certificateDuration is the duration', () => {
    const issued = synthGlance({ tls: { issuer: { name: 'ca', kind: 'ClusterIssuer' }, certificateDuration: '2160h' } });
    expect(ofKind(issued, 'Certificate').map((c) => [c.spec.issuerRef, c.spec.duration])).toEqual([
      [{ name: 'ca', kind: 'ClusterIssuer', group: 'cert-manager.io' }, '2160h'],
      [{ name: 'ca', kind: 'ClusterIssuer', group: 'cert-manager.io' }, '2160h'],
    ]);
  });

  test('renewBefore is cert-manager\'s own rule unless set; the public certificates take their own duration and renewBefore', () => {
    const validity = (tls: GlanceProps['tls']) => ofKind(synthGlance({ tls }), 'Certificate')
      .map((c) => [c.metadata.name, c.spec.duration, c.spec.renewBefore]);
    expect(validity({ issuer: { name: 'ca' } })).toEqual([
      ['glance-default-internal-svc', '43800h', undefined], ['glance-default-public-svc', '43800h', undefined],
    ]);
    expect(validity({ issuer: { name: 'ca' }, certificateDuration: '2160h', certificateRenewBefore: '720h' })).toEqual([
      ['glance-default-internal-svc', '2160h', '720h'], ['glance-default-public-svc', '2160h', '720h'],
    ]);
    // cert-manager's least renewBefore, 5 minutes, is one.
    expect(validity({ issuer: { name: 'ca' }, certificateRenewBefore: '5m' })[0][2]).toBe('5m');
    expect(validity({
      issuer: { name: 'ca' },
      certificateRenewBefore: '720h',
      publicCertificateDuration: '8760h',
      publicCertificateRenewBefore: '1h30m',
    }))
      .toEqual([['glance-default-internal-svc', '43800h', '720h'], ['glance-default-public-svc', '8760h', '1h30m']]);
  });

  test('a SPLIT API: the internal StatefulSet has the internal certificate, the external one the public, each with its replicas\' names', () => {
    const split = synthGlance({ tls: ISSUED, backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf' }) });
    expect(find(split, 'Certificate', 'glance-default-internal-svc').spec.dnsNames).toContain('*.glance-default-internal.openstack.svc');
    expect(find(split, 'Certificate', 'glance-default-public-svc').spec.dnsNames).toContain('*.glance-default-external.openstack.svc');
    const secretsOf = (sts: string) => statefulSet(split, sts).volumes.filter((v: any) => v.name.startsWith('tls-'))
      .map((v: any) => v.secret.secretName);
    expect(secretsOf('glance-default-internal')).toEqual(['cert-glance-default-internal-svc']);
    expect(secretsOf('glance-default-external')).toEqual(['cert-glance-default-public-svc']);
  });

  test('an edge API serves its internal endpoint only: one Certificate', () => {
    const edge = synthGlance({ tls: ISSUED, apis: { az1: { type: GlanceApiType.EDGE } } });
    expect(ofKind(edge, 'Certificate').map((c) => c.metadata.name)).toEqual(['glance-az1-internal-svc']);
  });

  test('publicDnsNames join the public certificate only', () => {
    const named = synthGlance({ tls: ISSUED, apis: { default: { tls: { publicDnsNames: ['glance.example.com', '*.images.example.com'] } } } });
    expect(find(named, 'Certificate', 'glance-default-public-svc').spec.dnsNames.slice(-2)).toEqual(['glance.example.com', '*.images.example.com']);
    expect(find(named, 'Certificate', 'glance-default-internal-svc').spec.dnsNames).not.toContain('glance.example.com');
  });

  test('an issued certificate\'s names hold the namespace: a chart without one is refused, naming the issuer', () => {
    const error = expectInvalid(() => synthApp((app) => {
      const chart = new Chart(app, 'no-namespace');
      new Glance(chart, 'glance', { ...BASE_PROPS, tls: ISSUED });
      return chart;
    }), 'tls.issuer', 'rootca-internal');
    expect(error.message).toContain('the chart has none');
  });
});

describe('the TLS terminator', () => {
  const m = synthGlance({ tls: ISSUED, imageCache: { size: '10Gi' } });
  const spec = statefulSet(m, 'glance-default-single');
  const httpd = container(spec, 'glance-httpd');
  const api = container(spec, 'glance-api');

  test('an httpd container owns port 9292; glance-api listens on the pod\'s loopback address only, behind it', () => {
    expect(spec.containers.map((c: any) => c.name)).toEqual(['glance-api', 'glance-httpd']);
    expect(httpd.ports).toEqual([{ name: 'glance-api', containerPort: 9292 }]);
    expect(api.ports).toBeUndefined();
    const conf = glanceConf(m, 'glance-default-single');
    expect([conf.DEFAULT.bind_host, conf.DEFAULT.bind_port]).toEqual(['127.0.0.1', '9293']);
    // Glance's links say https: it reads the terminator's X-Forwarded-Proto.
    expect(conf.oslo_middleware.enable_proxy_headers_parsing).toBe('true');
  });

  test('it runs the shipped script from the config Secret, in the Glance image by default, restricted', () => {
    expect(httpd.command).toEqual(['/bin/sh', '/etc/glance/glance.conf.d/glance-httpd.sh']);
    expect(httpd.image).toBe(api.image);
    expect(files(m, 'glance-default-single')['glance-httpd.sh']).toContain('kill -USR1 "$pid"');
    // httpd's logs (/proc/self/fd/1 and 2) reopen FIFOs the script owns, never the runtime's root-owned stdio pipes.
    expect(files(m, 'glance-default-single')['glance-httpd.sh']).toMatch(
      /mkfifo -m 600 "\$run_dir\/stdout" "\$run_dir\/stderr"[^]*-DFOREGROUND \\\n {2}> "\$run_dir\/stdout" 2> "\$run_dir\/stderr" &/);
    expectRestrictedPod(spec);
    expect(container(statefulSet(synthGlance({ tls: { ...ISSUED, proxyImage: 'registry.example/httpd:2.4' } }), 'glance-default-single'),
      'glance-httpd').image).toBe('registry.example/httpd:2.4');
  });

  test('each endpoint\'s Secret is mounted as a directory (the kubelet updates it in place), with tls.crt and tls.key only', () => {
    expect(httpd.volumeMounts.filter((v: any) => v.name.startsWith('tls-'))).toEqual([
      { name: 'tls-internal', mountPath: '/etc/glance/tls/internal', readOnly: true },
      { name: 'tls-public', mountPath: '/etc/glance/tls/public', readOnly: true },
    ]);
    expect(spec.volumes.find((v: any) => v.name === 'tls-internal').secret).toEqual({
      secretName: 'cert-glance-default-internal-svc',
      defaultMode: 0o440,
      items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }],
    });
    expect(api.volumeMounts.map((v: any) => v.name)).not.toContain('tls-internal');
  });

  test('its configuration: a virtual host per endpoint, internal first (with the replicas\' names), scheme set, forwarded headers dropped', () => {
    const cfg: string = files(m, 'glance-default-single')['glance-httpd.cfg'];
    const hosts = cfg.split('<VirtualHost *:${LISTEN}>').slice(1);
    expect(hosts).toHaveLength(2);
    expect(hosts[0]).toContain('ServerName glance-default.${POD_NAMESPACE}.svc\n');
    expect(hosts[0]).toContain('*.glance-default-single.${POD_NAMESPACE}.svc');
    expect(hosts[0]).toContain('SSLCertificateFile /etc/glance/tls/internal/tls.crt');
    expect(hosts[1]).toContain('ServerName glance-default-public.${POD_NAMESPACE}.svc\n');
    // Only the first answers for the replicas' names: SNI picks the public one by its Service names alone.
    const aliases = hosts.map((host) => /^ {2}ServerAlias (.*)$/m.exec(host)![1].split(' '));
    expect(aliases).toEqual([
      ['glance-default.${POD_NAMESPACE}.svc.cluster.local', '*.glance-default-single.${POD_NAMESPACE}.svc',
        '*.glance-default-single.${POD_NAMESPACE}.svc.cluster.local'],
      ['glance-default-public.${POD_NAMESPACE}.svc.cluster.local'],
    ]);
    expect(hosts[1]).toContain('SSLCertificateKeyFile /etc/glance/tls/public/tls.key');
    for (const host of hosts) {
      expect(host).toContain('RequestHeader set X-Forwarded-Proto https');
      expect(host).toContain('RequestHeader unset Forwarded');
      expect(host).toContain('ProxyPass / http://${UPSTREAM}/ nocanon retry=0');
    }
    expect(cfg).toContain('Define UPSTREAM 127.0.0.1:9293');
    expect(cfg).toContain('SSLProtocol all -SSLv3 -TLSv1 -TLSv1.1');
    // Without an authorization module httpd answers every request 500 (AH00025), as the e2e showed.
    expect(cfg).toContain('<IfModule !authz_core_module>\n  LoadModule authz_core_module ${MODULES}/mod_authz_core.so\n</IfModule>');
    expect(envOf(httpd).POD_NAMESPACE).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
  });

  test('from 2026.1, uWSGI listens behind it on the loopback address, and glance.conf sets no bind options', () => {
    const uwsgi = synthGlance({ tls: ISSUED, release: GlanceRelease.of('2026.1') });
    expect(files(uwsgi, 'glance-default-single')['glance-api-uwsgi.ini']).toMatch(/^http-socket = 127\.0\.0\.1:9293$/m);
    expect(glanceConf(uwsgi, 'glance-default-single').DEFAULT.bind_host).toBeUndefined();
  });

  test('probes go through the terminator over HTTPS', () => {
    for (const probe of [api.startupProbe, api.readinessProbe, api.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: '/healthcheck', port: 9292, scheme: 'HTTPS' });
    }
  });

  test('every replica names itself with https, in the API and in its cache jobs', () => {
    expect(envOf(api).OS_DEFAULT__WORKER_SELF_REFERENCE_URL).toBe('https://$(POD_NAME).glance-default-single.$(POD_NAMESPACE).svc:9292');
    for (const job of ofKind(m, 'CronJob').filter((c) => c.metadata.name.startsWith('glance-default-single-0-'))) {
      const env = envOf(job.spec.jobTemplate.spec.template.spec.containers[0]);
      expect([job.metadata.name, env.OS_DEFAULT__WORKER_SELF_REFERENCE_URL])
        .toEqual([job.metadata.name, 'https://glance-default-single-0.glance-default-single.$(POD_NAMESPACE).svc:9292']);
    }
  });

  test('the first precache run calls each replica by https', () => {
    const precached = synthGlance({
      tls: ISSUED,
      imageCache: { size: '10Gi', precache: { images: ['cirros'] } },
      apis: { default: { replicas: 1 } },
    });
    const job = find(precached, 'Job', 'glance-default-single-precache-<hash>');
    expect(job.spec.template.spec.containers[0].command).toContain('https://glance-default-single-0.glance-default-single.$$(POD_NAMESPACE).svc:9292'
      .replace('$$', '$'));
  });

  test('the config hash changes with TLS, so pods restart into it', () => {
    const hash = (manifests: Manifest[]) => find(manifests, 'StatefulSet', 'glance-default-single').spec.template.metadata
      .annotations['glance.openstack.org/config-hash'];
    expect(hash(m)).not.toBe(hash(synthGlance({ imageCache: { size: '10Gi' } })));
  });

  test('every mount resolves, with the terminator\'s volumes its own', () => {
    expectMountsResolve(m);
    // The terminator's run directory does not add to glance-api's ephemeral storage.
    expect(api.resources.requests['ephemeral-storage']).toBe(
      container(statefulSet(synthGlance({ imageCache: { size: '10Gi' } }), 'glance-default-single'), 'glance-api')
        .resources.requests['ephemeral-storage']);
  });
});

describe('certificates you bring', () => {
  test('each endpoint serves its Secret, and no Certificate is made', () => {
    const m = synthGlance({
      tls: { caBundleSecret: BUNDLE },
      apis: { default: { tls: { internalSecretName: 'my-internal', publicSecretName: 'my-public' } } },
    });
    expect(ofKind(m, 'Certificate')).toEqual([]);
    expect(statefulSet(m, 'glance-default-single').volumes.filter((v: any) => v.name.startsWith('tls-')).map((v: any) => v.secret.secretName))
      .toEqual(['my-internal', 'my-public']);
  });

  test('an API\'s Secret wins over the issuer for its endpoint only', () => {
    const m = synthGlance({ tls: ISSUED, apis: { default: { tls: { publicSecretName: 'my-public' } } } });
    expect(ofKind(m, 'Certificate').map((c) => c.metadata.name)).toEqual(['glance-default-internal-svc']);
  });

  test('a StatefulSet serves HTTPS on both endpoints or neither: a missing Secret is named, with the fix', () => {
    const error = expectInvalid(() => synthGlance({ apis: { default: { tls: { internalSecretName: 'my-internal' } } } }),
      'apis.default.tls.publicSecretName', 'the internal endpoint has a certificate (my-internal)');
    expect(error.fix).toContain('tls.publicIssuer');
  });

  test('each StatefulSet of a SPLIT API decides alone: an HTTPS internal API and a plain external one', () => {
    const m = synthGlance({
      backend: ImageBackend.rbd({ cephSecretName: 'ceph-conf' }),
      behindTlsProxy: true,
      apis: { default: { tls: { internalSecretName: 'my-internal' } } },
    });
    expect(statefulSet(m, 'glance-default-internal').containers.map((c: any) => c.name)).toEqual(['glance-api', 'glance-httpd']);
    expect(statefulSet(m, 'glance-default-external').containers.map((c: any) => c.name)).toEqual(['glance-api']);
  });

  test('a Secret of yours may not share a name with one the chart makes or cert-manager writes for it', () => {
    expectInvalid(() => synthGlance({ tls: { caBundleSecret: { name: 'glance-default-single-config', key: 'ca' } } }),
      'tls.caBundleSecret.name', 'names a Secret that this chart creates');
    expectInvalid(() => synthGlance({
      tls: ISSUED,
      backend: s3(),
      apis: { default: {}, other: { tls: { internalSecretName: 'cert-glance-default-internal-svc' } } },
    }),
    'apis.other.tls.internalSecretName', 'names a Secret that this chart creates for apis.default');
  });
});

describe('the CA bundle', () => {
  const m = synthGlance({
    tls: { caBundleSecret: BUNDLE },
    database: { ...BASE_PROPS.database, tls: true },
    backend: ImageBackend.multi({ stores: { swift0: ImageBackend.swift(), s30: s3(), cinder0: cinder() }, defaultStore: 'swift0' }),
    imageCache: { size: '10Gi', precache: { images: ['cirros'] } },
  });

  test('every pod with a Glance program mounts it and points OpenSSL and requests at it', () => {
    const pods = podSpecs(m);
    expect(pods.length).toBeGreaterThanOrEqual(7);
    for (const { where, spec } of pods) {
      expect([where, spec.volumes.find((v: any) => v.name.includes('ca-bundle')).secret])
        .toEqual([where, { secretName: 'combined-ca-bundle', defaultMode: 0o440, items: [{ key: 'tls-ca-bundle.pem', path: 'tls-ca-bundle.pem' }] }]);
      const glance = spec.containers[0];
      expect([where, glance.volumeMounts.find((v: any) => v.mountPath === '/etc/glance/tls/ca').readOnly]).toEqual([where, true]);
      expect([where, envOf(glance).SSL_CERT_FILE, envOf(glance).REQUESTS_CA_BUNDLE]).toEqual([where, CA_FILE, CA_FILE]);
    }
  });

  test('Keystone, the database and the stores that reach HTTPS endpoints verify against it', () => {
    const conf = glanceConf(m, 'glance-default-single');
    expect(conf.keystone_authtoken.cafile).toBe(CA_FILE);
    expect(conf.database.connection_parameters).toBe(`ssl_ca=${CA_FILE}`);
    expect([conf.swift0.swift_store_cacert, conf.s30.s3_store_cacert, conf.cinder0.cinder_ca_certificates_file]).toEqual([CA_FILE, CA_FILE, CA_FILE]);
    // The db tools read the same.
    const db = (find(m, 'Secret', 'glance-db-config').stringData['00-glance.conf'] as string);
    expect(db).toContain(`connection_parameters = ssl_ca=${CA_FILE}`);
  });

  test('an S3 store\'s own CA stays its own', () => {
    const own = synthGlance({ tls: { caBundleSecret: BUNDLE }, backend: s3({ caCertSecret: { name: 's3-ca', key: 'ca.crt' } }) });
    expect(glanceConf(own, 'glance-default-single').default_backend.s3_store_cacert).toBe('/etc/glance/stores/default_backend/ca.crt');
  });

  test('customServiceConfig may not set what TLS sets', () => {
    expectInvalid(() => synthGlance({ tls: { caBundleSecret: BUNDLE }, customServiceConfig: '[keystone_authtoken]\ncafile = /x\n' }),
      'customServiceConfig', '[keystone_authtoken] cafile');
    expectInvalid(() => synthGlance({
      tls: { caBundleSecret: BUNDLE },
      database: { ...BASE_PROPS.database, tls: true },
      customServiceConfig: '[database]\nconnection_parameters = ssl_ca=/x\n',
    }), 'customServiceConfig', '[database] connection_parameters');
  });

  test('database.tls needs the bundle it verifies against', () => {
    expectInvalid(() => synthGlance({ database: { ...BASE_PROPS.database, tls: true } }), 'database.tls', 'tls.caBundleSecret is not set');
  });
});

describe('checked at synth time (the edges of each check: tls-validation.test.ts)', () => {
  const bad: Array<[string, Partial<GlanceProps>, string, string]> = [
    ['an issuer name that is no DNS name', { tls: { issuer: { name: 'Root CA' } } }, 'tls.issuer.name', 'Root CA'],
    ['a duration under an hour', { tls: { issuer: { name: 'ca' }, certificateDuration: '30m' } }, 'tls.certificateDuration', '30m'],
    ['a duration cert-manager cannot read', { tls: { issuer: { name: 'ca' }, certificateDuration: '1y' } }, 'tls.certificateDuration', '1y'],
    ['a public duration under an hour', { tls: { issuer: { name: 'ca' }, publicCertificateDuration: '59m59s' } }, 'tls.publicCertificateDuration',
      '59m59s'],
    ['a renewBefore under cert-manager\'s 5 minutes', { tls: { issuer: { name: 'ca' }, certificateRenewBefore: '4m59s' } },
      'tls.certificateRenewBefore', '4m59s'],
    ['a renewBefore as long as the duration', { tls: { issuer: { name: 'ca' }, certificateDuration: '100h', certificateRenewBefore: '100h' } },
      'tls.certificateRenewBefore', '100h'],
    ['an inherited renewBefore longer than the public duration',
      { tls: { issuer: { name: 'ca' }, certificateRenewBefore: '720h', publicCertificateDuration: '700h' } }, 'tls.certificateRenewBefore', '720h'],
    ['a public renewBefore cert-manager cannot read', { tls: { issuer: { name: 'ca' }, publicCertificateRenewBefore: '1d' } },
      'tls.publicCertificateRenewBefore', '1d'],
    ['a CA bundle key Kubernetes refuses', { tls: { caBundleSecret: { name: 'ca', key: 'a/b' } } }, 'tls.caBundleSecret.key', 'a/b'],
    ['a Secret name with capitals', { apis: { default: { tls: { internalSecretName: 'My', publicSecretName: 'p' } } } },
      'apis.default.tls.internalSecretName', 'My'],
  ];
  test.each(bad)('%s', (_what, props, prop, value) => {
    expectInvalid(() => synthGlance(props), prop, value);
  });
});

describe('a public endpoint over plain HTTP', () => {
  const plainWarnings = (build: () => unknown) => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      build();
      return warn.mock.calls.filter((call) => (call[1] as any)?.code === 'CDK8S_GLANCE_PLAIN_HTTP');
    } finally {
      warn.mockRestore();
    }
  };

  test('is said once per app at synth time, with the fix', () => {
    const calls = plainWarnings(() => {
      const app = Testing.app();
      for (const id of ['a', 'b']) new Glance(new Chart(app, id, { namespace: id }), 'glance', BASE_PROPS);
    });
    expect(calls).toEqual([[expect.stringMatching(/apis\.default serves its public endpoint over plain HTTP.*tls\.issuer.*behindTlsProxy/),
      { code: 'CDK8S_GLANCE_PLAIN_HTTP' }]]);
  });

  test('is not said with a certificate, behind a TLS proxy, or for an API without a public endpoint', () => {
    expect(plainWarnings(() => synthGlance({ tls: ISSUED }))).toEqual([]);
    expect(plainWarnings(() => synthGlance({ behindTlsProxy: true }))).toEqual([]);
    expect(plainWarnings(() => synthGlance({ apis: { az1: { type: GlanceApiType.EDGE } } }))).toEqual([]);
  });
});
