/** The image store of a CR: the store sections of its customServiceConfig and the volumes its extraMounts give Glance. */
import { crOptions, expectRejected, glance, noStore, synthFromCr } from './cr-helpers';
import { readCustomResource } from '../../lib/custom-resource';
import { GlanceValidationError } from '../../lib/errors';
import { expectInvalid, find, glanceConf, synthGlance } from '../helpers';

const read = (cr: unknown, options = noStore()) => readCustomResource(cr, options).props;
const refused = (cr: unknown, path: string, message: RegExp | string, options = noStore()): GlanceValidationError =>
  expectInvalid(() => readCustomResource(cr, options), path, message);
const swift = (options: string) =>
  glance({ customServiceConfig: `[DEFAULT]\nenabled_backends = default_backend:swift\n[default_backend]\n${options}` });
const synthed = (cr: unknown) => synthFromCr(cr, noStore());
const confOf = (cr: unknown) => glanceConf(synthed(cr), 'glance-default-internal-api');
const podOf = (cr: unknown) => find(synthed(cr), 'StatefulSet', 'glance-default-internal-api').spec.template.spec;
const swiftConf = (options: string) => confOf(swift(options)).default_backend;
const cephSecretsOf = (cr: unknown) => podOf(cr).volumes
  .flatMap((v: any) => v.secret ? [v.secret.secretName] : v.projected?.sources.map((s: any) => s.secret?.name) ?? [])
  .filter((n: string) => n.startsWith('ceph'));
const extraVol = (vols: unknown[]) => glance({ extraMounts: [{ extraVol: vols }] });
const mounted = (volumes: unknown[], mounts: unknown[]) => extraVol([{ volumes, mounts }]);
const rbd = '[DEFAULT]\nenabled_backends = default_backend:rbd\n';
const cephSecret = (name: string) => ({ name, secret: { secretName: name } });
/** A Secret volume at /etc/ceph, with these fields beside its name. */
const cephAt = (volume: unknown) => extraVol([{ volumes: [{ name: 'c', ...(volume as object) }], mounts: [{ name: 'c', mountPath: '/etc/ceph' }] }]);

describe('the operator\'s samples', () => {
  const cephControlPlane = {
    kind: 'OpenStackControlPlane',
    metadata: { name: 'openstack' },
    spec: {
      glance: {
        template: {
          customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:rbd\ndebug = true\n[glance_store]\ndefault_backend = default_backend\n'
            + '[default_backend]\nrbd_store_ceph_conf = /etc/ceph/ceph.conf\nrbd_store_pool = glance-images\nrbd_store_user = glance\n',
          glanceAPIs: { default: {} },
        },
      },
      extraMounts: [
        {
          name: 'v1',
          region: 'r1',
          extraVol: [{
            propagation: ['CinderVolume'],
            extraVolType: 'Ceph',
            volumes: [{ name: 'c', secret: { secretName: 'cinder-ceph' } }],
            mounts: [{ name: 'c', mountPath: '/etc/ceph', readOnly: true }],
          }],
        },
        {
          name: 'v2',
          region: 'r1',
          extraVol: [{
            propagation: ['GlanceAPI'],
            extraVolType: 'Ceph',
            volumes: [{ name: 'ceph', secret: { secretName: 'ceph-conf-files' } }],
            mounts: [{ name: 'ceph', mountPath: '/etc/ceph', readOnly: true }],
          }],
        },
      ],
    },
  };

  test('a Ceph Secret at /etc/ceph for Glance becomes the rbd store', () => {
    const m = synthFromCr(cephControlPlane, noStore());
    const sts = find(m, 'StatefulSet', 'glance-default-internal-api');
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'ceph', secret: { secretName: 'ceph-conf-files', defaultMode: 0o440 } });
    expect(JSON.stringify(sts.spec.template.spec.volumes)).not.toContain('cinder-ceph');
    const conf = glanceConf(m, 'glance-default-internal-api');
    expect(conf.default_backend).toMatchObject({ rbd_store_pool: 'glance-images', rbd_store_user: 'glance' });
  });

  test('the rbd store\'s options leave customServiceConfig, which keeps the user\'s own', () => {
    const m = synthFromCr(cephControlPlane, noStore());
    expect(find(m, 'Secret', 'glance-default-internal-api-config').stringData['50-custom.conf']).toBe('[DEFAULT]\ndebug = true\n');
  });

  test('swift with the operator\'s templates: the deployment\'s Keystone, service user and password Secret', () => {
    const m = synthFromCr(glance({
      customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:swift\n[glance_store]\ndefault_backend = default_backend\n'
        + '[default_backend]\nswift_store_create_container_on_put = True\nswift_store_auth_version = 3\n'
        + 'swift_store_auth_address = {{ .KeystoneInternalURL }}\nswift_store_endpoint_type = internalURL\nswift_store_user = service:glance\n'
        + 'swift_store_key = {{ .ServicePassword }}\nswift_store_region = {{ .Region }}\n',
      glanceAPIs: { default: { replicas: 2, type: 'single' } },
    }), noStore());
    const conf = glanceConf(m, 'glance-default-single');
    expect(conf.DEFAULT.enabled_backends).toBe('default_backend:swift');
    expect(conf.default_backend).toMatchObject({ swift_store_user: 'service:glance', swift_store_auth_address: crOptions().keystoneAuthUrl });
    expect(conf.default_backend.swift_store_key).toBeUndefined();
    const env = find(m, 'StatefulSet', 'glance-default-single').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'OS_DEFAULT_BACKEND__SWIFT_STORE_KEY').valueFrom.secretKeyRef)
      .toEqual({ name: 'osp-secret', key: 'GlancePassword' });
    expect(find(m, 'Secret', 'glance-default-single-config').stringData['50-custom.conf']).toBeUndefined();
  });

  describe('two Ceph clusters and swift, the Ceph Secrets projected through the control plane\'s extraMounts', () => {
    const twoClusters = () => synthFromCr({
      kind: 'OpenStackControlPlane',
      spec: {
        glance: {
          template: {
            customServiceConfig: '[DEFAULT]\nenabled_backends = ceph-0:rbd,ceph-1:rbd,swift-0:swift\n[glance_store]\ndefault_backend = ceph-1\n'
              + '[ceph-0]\nrbd_store_ceph_conf = /etc/ceph/ceph-0.conf\nstore_description = "first cluster"\nrbd_store_pool = images\n'
              + 'rbd_store_user = openstack\nrbd_thin_provisioning = True\n'
              + '[ceph-1]\nrbd_store_ceph_conf = /etc/ceph/ceph-1.conf\nrbd_store_pool = images\nrbd_store_user = openstack\n'
              + '[swift-0]\nswift_store_auth_address = {{ .KeystoneInternalURL }}\nswift_store_key = {{ .ServicePassword }}\n'
              + 'swift_store_user = service:glance\n',
            glanceAPIs: { default: { type: 'split' } },
          },
        },
        extraMounts: [{
          name: 'v1',
          region: 'r1',
          extraVol: [{
            propagation: ['GlanceAPI'],
            extraVolType: 'Ceph',
            volumes: [{
              name: 'ceph',
              projected: { sources: [{ secret: { name: 'ceph-client-conf-0' } }, { secret: { name: 'ceph-client-conf-1' } }] },
            }],
            mounts: [{ name: 'ceph', mountPath: '/etc/ceph', readOnly: true }],
          }],
        }],
      },
    }, noStore());

    test('each store is configured under its own name, with the default store of [glance_store]', () => {
      const m = twoClusters();
      const conf = glanceConf(m, 'glance-default-internal-api');
      expect(conf.DEFAULT.enabled_backends).toBe('ceph-0:rbd,ceph-1:rbd,swift-0:swift');
      expect(conf.glance_store.default_backend).toBe('ceph-1');
      expect(conf['ceph-0']).toMatchObject({ rbd_store_ceph_conf: '/etc/ceph/ceph-0.conf', store_description: 'first cluster' });
      expect(conf['ceph-1'].rbd_store_ceph_conf).toBe('/etc/ceph/ceph-1.conf');
      const volumes = find(m, 'StatefulSet', 'glance-default-internal-api').spec.template.spec.volumes;
      expect(JSON.stringify(volumes)).toContain('ceph-client-conf-0');
      expect(JSON.stringify(volumes)).toContain('ceph-client-conf-1');
    });

    test('options the stores do not render stay the user\'s', () => {
      expect(find(twoClusters(), 'Secret', 'glance-default-internal-api-config').stringData['50-custom.conf'])
        .toBe('[ceph-0]\nrbd_thin_provisioning = True\n');
    });
  });

  test('the file store on the NFS share of the control plane\'s extraMounts', () => {
    const m = synthFromCr({
      kind: 'OpenStackControlPlane',
      spec: {
        glance: {
          template: {
            customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:file\n[glance_store]\ndefault_backend = default_backend\n'
              + '[default_backend]\nfilesystem_store_datadir = /var/lib/glance/images/\n',
            glanceAPIs: { default: { replicas: 3, type: 'single' } },
          },
        },
        extraMounts: [{
          name: 'r1',
          region: 'r1',
          extraVol: [{
            propagation: ['Glance'],
            extraVolType: 'Nfs',
            volumes: [{ name: 'nfs', nfs: { server: '192.0.2.5', path: '/var/nfs' } }],
            mounts: [{ name: 'nfs', mountPath: '/var/lib/glance/images' }],
          }],
        }],
      },
    }, noStore());
    const pod = find(m, 'StatefulSet', 'glance-default-single').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'images', persistentVolumeClaim: { claimName: 'glance-images' } });
    expect(find(m, 'PersistentVolume', 'openstack-glance-images').spec.nfs).toEqual({ server: '192.0.2.5', path: '/var/nfs' });
  });
});

describe('stores from customServiceConfig', () => {
  test.each([
    ['[DEFAULT]\nenabled_backends = rbd\n', 'spec.customServiceConfig', /is not a list of <name>:<type> \(enabled_backends\)/],
    ['[DEFAULT]\nenabled_backends = a:swift\n[glance_store]\ndefault_backend = b\n', 'spec.customServiceConfig',
      /names no store of enabled_backends \(got "default_backend = b"\)/],
    ['[DEFAULT]\nenabled_backends = default_backend:file\n[default_backend]\nfilesystem_store_datadir = /images\n',
      'spec.customServiceConfig [default_backend]', /puts the file store elsewhere than \/var\/lib\/glance\/images/],
    ['[DEFAULT]\nenabled_backends = default_backend:rbd\n', 'spec.extraMounts',
      /is where the default_backend store's ceph.conf and keyring come from, and it mounts none at \/etc\/ceph \(got "no Ceph Secret"\)/],
    // Refused, not copied into the config Secret.
    ['[DEFAULT]\nenabled_backends = default_backend:swift\n[default_backend]\nswift_store_key = s3cr3t\n',
      'spec.customServiceConfig [default_backend]', /puts a credential in customServiceConfig \(got "swift_store_key = <hidden>"\)/],
    ['[DEFAULT]\nenabled_backends = default_backend:swift\n[default_backend]\nswift_store_auth_address = http://other:5000/v3\n',
      'spec.customServiceConfig [default_backend]', /points Swift at another Keystone than the deployment's/],
    ['[DEFAULT]\nenabled_backends = default_backend:swift\n[default_backend]\nswift_store_auth_version = 2\n',
      'spec.customServiceConfig [default_backend]', /is not Keystone v3 \(got "swift_store_auth_version = 2"\).*Fix: use 3/],
    ['[DEFAULT]\nenabled_backends = default_backend:cinder\n', 'spec.customServiceConfig [default_backend]',
      /is a cinder store, whose API pods the glance-operator runs privileged.*Fix: import with --allow-privileged-cinder true/],
    ['[DEFAULT]\nenabled_backends = default_backend:s3\n[default_backend]\ns3_store_secret_key = abc\n', 'spec.customServiceConfig [default_backend]',
      /puts a credential in customServiceConfig \(got "s3_store_secret_key = <hidden>"\).*Fix: move it to a Secret of customServiceConfigSecrets/],
    ['[DEFAULT]\nenabled_backends = default_backend:s3\n[default_backend]\ns3_store_cacert = /etc/my/ca.pem\n',
      'spec.customServiceConfig [default_backend]',
      /names a CA file cdk8s-glance does not mount/],
    ['[DEFAULT]\nenabled_backends = default_backend:s3\n[default_backend]\ns3_store_create_bucket_on_put = maybe\n',
      'spec.customServiceConfig [default_backend]', /is not a boolean oslo.config reads/],
    ['[DEFAULT]\nenabled_backends = default_backend:s3\n[default_backend]\ns3_store_bucket_url_format = diagonal\n',
      'spec.customServiceConfig [default_backend]', /is not one of auto, path, virtual/],
  ])('customServiceConfig %j is refused', (custom, path, message) => {
    refused(glance({ customServiceConfig: custom }), path, message);
  });

  test('enabled_backends may have spaces around names and types', () => {
    const conf = confOf(glance({ customServiceConfig: '[DEFAULT]\nenabled_backends = a : swift ,  b:swift\n[glance_store]\ndefault_backend = b\n' }));
    expect(conf.DEFAULT.enabled_backends).toBe('a:swift,b:swift');
    expect(conf.glance_store.default_backend).toBe('b');
  });

  const namedSwift = () => read(glance({
    customServiceConfig: '[DEFAULT]\nenabled_backends = swift-1:swift\ndebug = true\n[glance_store]\ndefault_backend = swift-1\nstores = swift\n'
      + '[swift-1]\nswift_store_container = images\nswift_store_large_object_size = 512\n',
  }));

  test('the store options leave customServiceConfig, the rest stays', () => {
    expect(namedSwift().customServiceConfig).toBe('[DEFAULT]\ndebug = true\n\n[swift-1]\nswift_store_large_object_size = 512\n');
  });

  test('a store named otherwise than default_backend keeps its name', () => {
    const conf = glanceConf(synthGlance({ backend: namedSwift().backend }), 'glance-default-single');
    expect(conf.DEFAULT.enabled_backends).toBe('swift-1:swift');
    expect(conf['swift-1'].swift_store_container).toBe('images');
  });

  test('an empty store section leaves no section in the user\'s config', () => {
    const props = read(swift('swift_store_container = c\n'));
    expect(props.customServiceConfig).toBeUndefined();
  });

  test('quotes around a value go, as oslo.config drops them: the same quote at both ends', () => {
    expect(swiftConf('swift_store_container = "images"\n').swift_store_container).toBe('images');
    expect(swiftConf('swift_store_user = \'admin:images\'\n').swift_store_user).toBe('admin:images');
    expect(swiftConf('store_description = "Fast" Swift, "B"\n').store_description).toBe('Fast" Swift, "B');
    expect(swiftConf('store_description = "Fast" Swift\n').store_description).toBe('"Fast" Swift');
    expect(swiftConf('store_description = Swift "B"\n').store_description).toBe('Swift "B"');
    expect(swiftConf('store_description = "Swift\'\n').store_description).toBe('"Swift\'');
  });

  test('swift: the operator\'s templates stand for the deployment\'s Keystone, key and region', () => {
    const templated = swiftConf('swift_store_auth_address = {{ .KeystoneInternalURL }}\nswift_store_key = {{.ServicePassword}}\n'
      + 'swift_store_region = {{  .Region  }}\nswift_store_user = service:glance\n');
    expect(templated).toMatchObject({ swift_store_user: 'service:glance', swift_store_auth_address: crOptions().keystoneAuthUrl });
    expect(templated.swift_store_region).toBeUndefined();
    expect(swiftConf('')).toMatchObject({ swift_store_user: 'service:glance' });
    expect(swiftConf('').swift_store_region).toBeUndefined();
  });

  test('swift: a region, user or text around a template of the user\'s own is kept', () => {
    expect(swiftConf('swift_store_region = regionTwo\n').swift_store_region).toBe('regionTwo');
    expect(swiftConf('swift_store_user = admin:images\n').swift_store_user).toBe('admin:images');
    expect(swiftConf('swift_store_region = {{ .Region }} two\n').swift_store_region).toBe('{{ .Region }} two');
  });

  test('swift: another Keystone, even around the template, is refused with its value', () => {
    for (const address of ['http://other/{{ .KeystoneInternalURL }}', '{{ .KeystoneInternalURL }}/v3']) {
      refused(swift(`swift_store_auth_address = ${address}\n`), 'spec.customServiceConfig [default_backend]',
        `points Swift at another Keystone than the deployment's (got "swift_store_auth_address = ${address}")`);
    }
  });

  const fileStore = (dir: string) =>
    glance({ customServiceConfig: `[DEFAULT]\nenabled_backends = default_backend:file\n[default_backend]\nfilesystem_store_datadir = ${dir}\n` });

  test('file: a trailing slash on the directory is the same directory', () => {
    expect(() => read(fileStore('/var/lib/glance/images//'))).not.toThrow();
  });

  test('file: another directory is refused with its value', () => {
    refused(fileStore('/images'), 'spec.customServiceConfig [default_backend]', '(got "filesystem_store_datadir = /images")');
  });

  const withCeph = (custom: string) => {
    const cr = mounted([cephSecret('ceph')], [{ name: 'ceph', mountPath: '/etc/ceph' }]);
    (cr.spec as any).customServiceConfig = rbd + custom;
    return cr;
  };

  test('rbd: the cluster comes from the ceph.conf file name', () => {
    expect(confOf(withCeph('[default_backend]\nrbd_store_ceph_conf = /etc/ceph/site-b.conf\n')).default_backend.rbd_store_ceph_conf)
      .toBe('/etc/ceph/site-b.conf');
  });

  test('rbd: a ceph.conf elsewhere than /etc/ceph/<cluster>.conf is refused', () => {
    for (const conf of ['/opt/ceph.conf', '/x/etc/ceph/ceph.conf', '/etc/ceph/ceph.conf.bak']) {
      refused(withCeph(`[default_backend]\nrbd_store_ceph_conf = ${conf}\n`), 'spec.customServiceConfig [default_backend]',
        `is not a file /etc/ceph/<cluster>.conf (got "rbd_store_ceph_conf = ${conf}"). Fix: keep the Ceph files in /etc/ceph`);
    }
  });

  test('an unsupported store type is named with its store', () => {
    refused(glance({ customServiceConfig: '[DEFAULT]\nenabled_backends = images:cinder\n[glance_store]\ndefault_backend = images\n' }),
      'spec.customServiceConfig [images]', '(got "images:cinder")');
  });
});

describe('the cinder store, with --allow-privileged-cinder', () => {
  const cinderSection = (options: string, enabled = 'default_backend:cinder') =>
    `[DEFAULT]\nenabled_backends = ${enabled}\n[glance_store]\ndefault_backend = ${enabled.split(':')[0]}\n[default_backend]\n${options}`;
  // The glance-operator's cinder samples: the deployment's Keystone, user and password as its templates.
  const templated = 'cinder_store_auth_address = {{ .KeystoneInternalURL }}\ncinder_store_user_name = {{ .ServiceUser }}\n'
    + 'cinder_store_password = {{ .ServicePassword }}\ncinder_store_project_name = service\ncinder_catalog_info = volumev3::internalURL\n';
  const privileged = () => ({ ...noStore(), allowPrivilegedCinder: true });
  const synthCinder = (custom: string) => synthFromCr(glance({ customServiceConfig: custom }), privileged());
  const STS = 'glance-default-internal-api';

  test('the operator\'s sample deploys the store with the deployment\'s Keystone, service user and password', () => {
    const m = synthCinder(cinderSection(`${templated}cinder_use_multipath = true\ncinder_volume_type = glance-iscsi\n`));
    expect(glanceConf(m, STS).default_backend).toEqual({
      cinder_store_auth_address: 'http://keystone-internal.openstack.svc:5000/v3',
      cinder_store_user_name: 'glance',
      cinder_store_project_name: 'service',
      cinder_store_user_domain_name: 'Default',
      cinder_store_project_domain_name: 'Default',
      cinder_catalog_info: 'volumev3::internalURL',
      cinder_volume_type: 'glance-iscsi',
      cinder_use_multipath: 'true',
      store_description: 'Cinder backend',
    });
    const container = find(m, 'StatefulSet', STS).spec.template.spec.containers[0];
    expect(container.env).toContainEqual({
      name: 'OS_DEFAULT_BACKEND__CINDER_STORE_PASSWORD', valueFrom: { secretKeyRef: { name: 'osp-secret', key: 'GlancePassword' } },
    });
  });

  test('its API pods are the operator\'s: privileged, in the node\'s PID namespace, running the node\'s attach programs', () => {
    const m = synthCinder(cinderSection(templated));
    const pod = find(m, 'StatefulSet', STS).spec.template.spec;
    expect(pod.hostPID).toBe(true);
    expect(pod.containers[0].securityContext).toMatchObject({ privileged: true, allowPrivilegeEscalation: true, runAsUser: 42415 });
    expect(pod.volumes.filter((v: any) => v.hostPath).map((v: any) => v.hostPath.path).sort())
      .toEqual(['/dev', '/etc/iscsi', '/etc/nvme', '/lib/modules', '/run', '/sys', '/var/locks/openstack/os-brick']);
    expect(pod.containers[0].volumeMounts.filter((v: any) => /^run-on-node-/.test(v.subPath)).map((v: any) => v.mountPath).sort())
      .toEqual(['/lib/udev/scsi_id', '/usr/sbin/iscsiadm', '/usr/sbin/multipath', '/usr/sbin/multipathd', '/usr/sbin/nvme']);
    expect(glanceConf(m, STS).os_brick).toEqual({ lock_path: '/var/locks/openstack/os-brick' });
    expect(Object.values(find(m, 'ConfigMap', 'glance-cinder-node-tools').data)).toEqual([expect.stringMatching(/^#!\/bin\/sh\n/)]);
  });

  test('options the store does not render stay the user\'s config (cinder_do_extend_attached)', () => {
    const m = synthCinder(cinderSection(`${templated}cinder_do_extend_attached = true\n`));
    const secret = find(m, 'Secret', `${STS}-config`);
    expect(secret.stringData['50-custom.conf']).toBe('[default_backend]\ncinder_do_extend_attached = true\n');
  });

  test('two cinder stores (the operator\'s multistore sample) share the pod\'s node paths and one wrapper ConfigMap', () => {
    const custom = '[DEFAULT]\nenabled_backends = iscsi:cinder,nfs:cinder\n[glance_store]\ndefault_backend = iscsi\n'
      + `[iscsi]\n${templated}cinder_volume_type = iscsi\n[nfs]\n${templated}cinder_volume_type = nfs\n`;
    const m = synthCinder(custom);
    const pod = find(m, 'StatefulSet', STS).spec.template.spec;
    const names = pod.volumes.map((v: any) => v.name);
    expect(names.length).toBe(new Set(names).size);
    expect(pod.volumes.filter((v: any) => v.configMap?.name === 'glance-cinder-node-tools')).toHaveLength(1);
    expect(pod.containers[0].volumeMounts.filter((v: any) => /^run-on-node-/.test(v.subPath))).toHaveLength(5);
    expect(m.filter((o) => o.kind === 'ConfigMap')).toHaveLength(1);
    expect([glanceConf(m, STS).iscsi.cinder_volume_type, glanceConf(m, STS).nfs.cinder_volume_type]).toEqual(['iscsi', 'nfs']);
  });

  test.each([
    ['cinder_store_password = secret\n', /puts a credential in customServiceConfig \(got "cinder_store_password = <hidden>"\)/],
    ['cinder_store_auth_address = http://other:5000/v3\n', /points Cinder's store at another Keystone than the deployment's/],
    ['cinder_store_application_credential_id = abc\n',
      /glance_store reads from 5\.4\.0 on.*\(got "cinder_store_application_credential_id = <hidden>"\).*Fix: authenticate the store as the service/],
    ['cinder_store_application_credential_secret = s\n', /got "cinder_store_application_credential_secret = <hidden>"/],
    ['cinder_store_user_domain_name = Infra\n', /in another domain than the service user's/],
    ['cinder_use_multipath = maybe\n', /is not a boolean oslo.config reads/],
    ['cinder_catalog_info = volumev3\n', /is not "<service_type>:<service_name>:<interface>" \(got "volumev3"\)/],
  ])('%j is refused', (options, message) => {
    expectInvalid(() => synthCinder(cinderSection(`${templated.replace(/^cinder_store_password.*\n/m, '')}${options}`)),
      'spec.customServiceConfig [default_backend]', message);
  });

  test('an API\'s own cinder store (architecture\'s dz-storage) takes the same opt-in', () => {
    const cr = glance({
      glanceAPIs: {
        az0: { customServiceConfig: cinderSection(`${templated}cinder_volume_type = az0\n`, 'az0:cinder').replace('[default_backend]', '[az0]') },
      },
    });
    expectInvalid(() => readCustomResource(cr, noStore()), 'spec.glanceAPIs.az0.customServiceConfig [az0]', /--allow-privileged-cinder true/);
    const pod = find(synthFromCr(cr, privileged()), 'StatefulSet', 'glance-az0-internal-api').spec.template.spec;
    expect(pod.hostPID).toBe(true);
  });
});

describe('a store from the CR or from the options, never both', () => {
  test('a store in the CR\'s customServiceConfig and a store option together are refused', () => {
    refused(glance({ customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:swift\n' }), 'spec.customServiceConfig',
      /configures the image store, and so does a store option.*Fix: give the store one way: remove the option/, crOptions());
  });

  test('an NFS store and a store option together name extraMounts', () => {
    refused(mounted([{ name: 'n', nfs: { server: 'nfs.example', path: '/images' } }], [{ name: 'n', mountPath: '/var/lib/glance/images' }]),
      'spec.extraMounts',
      'configures the image store, and so does a store option (--ceph-secret, --shared-claim or --shared-storage-class) (got "extraMounts")',
      crOptions());
  });

  test('errors of a CR\'s file store name extraMounts, of its other stores customServiceConfig', () => {
    const nfs = mounted([{ name: 'n', nfs: { server: 'nfs.example', path: '/images' } }], [{ name: 'n', mountPath: '/var/lib/glance/images' }]);
    const crOf = (custom?: string) => ({ ...nfs, spec: { ...nfs.spec as object, customServiceConfig: custom } });
    const propOf = (cr: unknown, prop: string) =>
      readCustomResource(cr, noStore()).inCrTerms(new GlanceValidationError(prop, 'v', 'is bad', 'f')).prop;
    expect(propOf(crOf(), 'backend.sharedStore')).toBe('spec.extraMounts');
    expect(propOf(crOf('[DEFAULT]\nenabled_backends = a:file, b:swift\n'), 'backend')).toBe('spec.extraMounts');
    expect(propOf(swift(''), 'backend')).toBe('spec.customServiceConfig');
  });
});

describe('extraMounts', () => {
  test.each([
    [glance({ extraMounts: [{ extraVol: {} }] }), 'spec.extraMounts[0].extraVol', /is not a list.*Fix: give extraVol as a list/],
    [extraVol([{ propagation: 'Glance' }]), 'spec.extraMounts[0].extraVol[0].propagation', /is not a list.*Fix: list the services/],
    [mounted([{ name: 'n', nfs: { server: 'nfs' } }], [{ name: 'n', mountPath: '/var/lib/glance/images/' }]),
      'spec.extraMounts[0].extraVol[0].volumes', /is an NFS volume without server and path/],
    [cephAt({ secret: {} }), 'spec.extraMounts[0].extraVol[0].volumes', /is a Secret volume without secretName/],
    [cephAt({ projected: { sources: [{ configMap: { name: 'x' } }] } }), 'spec.extraMounts[0].extraVol[0].volumes',
      /projects something other than Secrets into \/etc\/ceph/],
    [mounted([{ name: 'c', secret: { secretName: 's', items: [{ key: 'a', path: 'b' }] } }], [{ name: 'c', mountPath: '/etc/x' }]),
      'spec.extraMounts[0].extraVol[0].mounts[0]',
      /only an NFS volume at \/var\/lib\/glance\/images, and whole Secrets and ConfigMaps/],
  ])('extraMounts %# is refused with its fix', (cr, path, message) => {
    refused(cr, path, message);
  });

  test.each([
    ['an entry that is not a mapping', glance({ extraMounts: [null] }), 'spec.extraMounts[0].extraVol', 'is not a list'],
    ['a mount naming no volume', mounted([], [{ name: 'x', mountPath: '/etc/ceph' }]), 'spec.extraMounts[0].extraVol[0].mounts[0]',
      'only an NFS volume'],
    ['a null mount', mounted([cephSecret('ceph')], [null]), 'spec.extraMounts[0].extraVol[0].mounts[0]', 'only an NFS volume'],
    ['an NFS volume elsewhere', mounted([{ name: 'n', nfs: { server: 'x', path: '/x' } }], [{ name: 'n', mountPath: '/etc/ceph' }]),
      'spec.extraMounts[0].extraVol[0].mounts[0]', 'only an NFS volume'],
    ['an NFS volume without path', mounted([{ name: 'n', nfs: { server: 'x' } }], [{ name: 'n', mountPath: '/var/lib/glance/images' }]),
      'spec.extraMounts[0].extraVol[0].volumes', 'is an NFS volume without server and path'],
    ['an NFS volume without server', mounted([{ name: 'n', nfs: { path: '/x' } }], [{ name: 'n', mountPath: '/var/lib/glance/images' }]),
      'spec.extraMounts[0].extraVol[0].volumes', 'is an NFS volume without server and path'],
    ['a Secret at a subPath', mounted([cephSecret('s')], [{ name: 's', mountPath: '/etc/x/a.pem', subPath: 'a.pem' }]),
      'spec.extraMounts[0].extraVol[0].mounts[0]', 'only an NFS volume'],
    ['a projection with a null source', mounted([{ name: 'c', projected: { sources: [null] } }], [{ name: 'c', mountPath: '/etc/ceph' }]),
      'spec.extraMounts[0].extraVol[0].volumes', 'projects something other than Secrets'],
    ['a projection of a Secret and a ConfigMap',
      mounted([{ name: 'c', projected: { sources: [{ secret: { name: 's' } }, { configMap: { name: 'm' } }] } }],
        [{ name: 'c', mountPath: '/etc/ceph' }]),
      'spec.extraMounts[0].extraVol[0].volumes', 'projects something other than Secrets'],
  ])('%s is refused', (_name, cr, path, message) => {
    refused(cr, path, message);
  });

  test('other whole Secrets and ConfigMaps for Glance become extraMounts, mounted read-only where the CR mounts them', () => {
    const cr = extraVol([
      { volumes: [{ name: 'ca', secret: { secretName: 's3-ca' } }], mounts: [{ name: 'ca', mountPath: '/etc/pki/s3/', readOnly: true }] },
      {
        propagation: ['GlanceAPI', 'CinderVolume'],
        volumes: [{ name: 'm', configMap: { name: 'metadefs' } }],
        mounts: [{ name: 'm', mountPath: '/etc/glance/metadefs' }],
      },
      { propagation: ['CinderVolume'], volumes: [{ name: 'x', configMap: { name: 'cinder-only' } }], mounts: [{ name: 'x', mountPath: '/etc/x' }] },
    ]);
    expect(read(cr, crOptions()).extraMounts).toEqual([
      { mountPath: '/etc/pki/s3/', secretNames: ['s3-ca'] },
      { mountPath: '/etc/glance/metadefs', configMapName: 'metadefs' },
    ]);
    const mounts = synthFromCr(cr, crOptions());
    const api = find(mounts, 'StatefulSet', 'glance-default-internal-api').spec.template.spec.containers[0];
    expect(api.volumeMounts.filter((v: any) => v.name.startsWith('extra-')).map((v: any) => [v.mountPath, v.readOnly]))
      .toEqual([['/etc/pki/s3', true], ['/etc/glance/metadefs', true]]);
  });

  test('Ceph\'s files for Glance beside stores that are none of them rbd (architecture\'s uni04delta) are mounted as they are', () => {
    const cr = { ...cephAt({ projected: { sources: [{ secret: { name: 'ceph-conf-files' } }] } }) };
    (cr.spec as any).customServiceConfig = '[DEFAULT]\nenabled_backends = default_backend:swift\n';
    expect(read(cr).extraMounts).toEqual([{ mountPath: '/etc/ceph', secretNames: ['ceph-conf-files'] }]);
    expect(podOf(cr).volumes).toContainEqual({ name: 'extra-0', secret: { secretName: 'ceph-conf-files', defaultMode: 0o440 } });
  });

  test('an extra mount that would hide the image\'s files is refused by its place in the CR', () => {
    const cr = mounted([{ name: 'c', secret: { secretName: 's' } }], [{ name: 'c', mountPath: '/etc/glance' }]);
    expectInvalid(() => synthFromCr(cr, crOptions()), 'spec.extraMounts[0].extraVol[0].mounts[0]',
      /would hide files of the image Glance needs \(got "\/etc\/glance"\)/);
  });

  test('an extra mount the library refuses is named by its place in the CR', () => {
    const cr = extraVol([
      { volumes: [{ name: 'a', configMap: { name: 'a' } }], mounts: [{ name: 'a', mountPath: '/etc/a' }] },
      { volumes: [{ name: 'b', configMap: { name: 'b' } }], mounts: [{ name: 'b', mountPath: '/var/lib/glance/b' }] },
    ]);
    expectInvalid(() => synthFromCr(cr, crOptions()), 'spec.extraMounts[0].extraVol[1].mounts[0]',
      'meets the library\'s mount at /var/lib/glance');
  });

  test('an NFS volume alone is the shared file store', () => {
    const cr = mounted([{ name: 'n', nfs: { server: 'nfs.example', path: '/images' } }], [{ name: 'n', mountPath: '/var/lib/glance/images' }]);
    expect(confOf(cr).DEFAULT.enabled_backends).toBe('default_backend:file');
    expect(podOf(cr).volumes).toContainEqual({ name: 'images', persistentVolumeClaim: { claimName: 'glance-images' } });
    expect(podOf(cr).volumes.filter((v: any) => v.nfs)).toEqual([]);
  });

  test('only the mounts propagated to Glance, named in any case, are read', () => {
    const cr = extraVol([
      {
        propagation: ['CinderVolume'],
        volumes: [{ name: 'c', secret: { secretName: 'cinder' } }],
        mounts: [{ name: 'c', mountPath: '/etc/cinder' }],
      },
      {
        propagation: ['glanceapi'],
        volumes: [{ name: 'c', projected: { sources: [{ secret: { name: 'ceph-a' } }, { secret: { name: 'ceph-b' } }] } }],
        mounts: [{ name: 'c', mountPath: '/etc/ceph/' }],
      },
    ]);
    (cr.spec as any).customServiceConfig = rbd;
    const backend = read(cr).backend!;
    expect(find(synthGlance({ backend }), 'StatefulSet', 'glance-default-internal').spec.template.spec.volumes
      .find((v: any) => v.projected)?.projected.sources.map((s: any) => s.secret.name)).toEqual(['ceph-a', 'ceph-b']);
  });

  test('a mount finds its own volume by name, with a trailing slash on its path', () => {
    const cr = mounted([{ name: 'other', nfs: { server: 'x', path: '/x' } }, cephSecret('ceph-b')], [{ name: 'ceph-b', mountPath: '/etc/ceph//' }]);
    (cr.spec as any).customServiceConfig = rbd;
    expect(cephSecretsOf(cr)).toEqual(['ceph-b']);
  });

  test('null entries and entries without volumes or mounts add nothing', () => {
    expect(read(extraVol([null, {}, { volumes: [null], mounts: [] }])).backend).toBeUndefined();
    const cr = mounted([null, cephSecret('ceph-a')], [{ name: 'ceph-a', mountPath: '/etc/ceph' }]);
    (cr.spec as any).customServiceConfig = rbd;
    expect(cephSecretsOf(cr)).toEqual(['ceph-a']);
  });

  test('a propagation naming Glance among others is read', () => {
    const cr = extraVol([
      { propagation: ['CinderVolume', 'Glance'], volumes: [cephSecret('ceph-c')], mounts: [{ name: 'ceph-c', mountPath: '/etc/ceph' }] },
    ]);
    (cr.spec as any).customServiceConfig = rbd;
    expect(cephSecretsOf(cr)).toEqual(['ceph-c']);
  });

  test('a propagation naming another service whose name holds "Glance" is not read', () => {
    const cr = extraVol([{ propagation: ['CinderGlance'], volumes: [cephSecret('c')], mounts: [{ name: 'c', mountPath: '/etc/cinder' }] }]);
    expect(read(cr).backend).toBeUndefined();
  });

  describe('a propagation naming the APIs, as the operator mounts into each API pod its own name\'s', () => {
    const cephFor = (propagation: string[], apis?: object) => {
      const cr = extraVol([{ propagation, volumes: [cephSecret('ceph-a')], mounts: [{ name: 'ceph-a', mountPath: '/etc/ceph' }] }]);
      Object.assign(cr.spec as any, { customServiceConfig: rbd, glanceAPIs: apis ?? { default: {} } });
      return cr;
    };
    const two = { az0: { type: 'edge' }, az1: { type: 'edge' } };

    test('naming every API of the CR, it is read', () => {
      expect(cephSecretsOf(cephFor(['default']))).toEqual(['ceph-a']);
      // Edge APIs only: none is listed in Keystone.
      const both = synthFromCr(cephFor(['az1', 'az0'], two), { ...noStore(), keystoneRegistration: false });
      for (const sts of ['glance-az0-edge-api', 'glance-az1-edge-api']) {
        expect(find(both, 'StatefulSet', sts).spec.template.spec.volumes)
          .toContainEqual({ name: 'ceph', secret: { secretName: 'ceph-a', defaultMode: 0o440 } });
      }
    });

    test('naming some of the APIs whose stores are the deployment\'s, it is refused: they mount the deployment\'s', () => {
      const cr = extraVol([
        { propagation: ['Glance'], volumes: [cephSecret('ceph-central')], mounts: [{ name: 'ceph-central', mountPath: '/etc/ceph' }] },
        { propagation: ['az0', 'az1'], volumes: [cephSecret('ceph-a')], mounts: [{ name: 'ceph-a', mountPath: '/etc/ceph' }] },
      ]);
      Object.assign(cr.spec as any, { customServiceConfig: rbd, glanceAPIs: { ...two, az2: { type: 'edge' } } });
      refused(cr, 'spec.extraMounts[0].extraVol[1].propagation',
        'mounts Ceph\'s files at /etc/ceph for az0 (not every API), whose stores are the deployment\'s (got ["ceph-a"]). '
        + 'Fix: give az0 its own rbd stores (enabled_backends in its customServiceConfig), or propagate the mount to Glance');
    });

    test('naming the APIs with stores of their own (the distributed layout), each API\'s stores read its own Secrets', () => {
      const site = (name: string) => `[DEFAULT]\nenabled_backends = ${name}:rbd\n[glance_store]\ndefault_backend = ${name}\n`
        + `[${name}]\nrbd_store_ceph_conf = /etc/ceph/${name}.conf\n`;
      const cr = extraVol([
        { propagation: ['Glance'], volumes: [cephSecret('ceph-central')], mounts: [{ name: 'ceph-central', mountPath: '/etc/ceph' }] },
        { propagation: ['az1', 'CinderVolume'], volumes: [cephSecret('ceph-az1')], mounts: [{ name: 'ceph-az1', mountPath: '/etc/ceph' }] },
      ]);
      Object.assign(cr.spec as any, {
        customServiceConfig: rbd,
        glanceAPIs: { central: {}, az1: { type: 'edge', customServiceConfig: site('az1') } },
        keystoneEndpoint: 'central',
      });
      const m = synthFromCr(cr, noStore());
      const secretsOf = (sts: string) => {
        const volume = find(m, 'StatefulSet', sts).spec.template.spec.volumes.find((v: any) => v.name === 'ceph' || v.name.startsWith('ceph'));
        return volume.secret ? [volume.secret.secretName] : volume.projected.sources.map((source: any) => source.secret.name);
      };
      expect(secretsOf('glance-central-internal-api')).toEqual(['ceph-central']);
      expect(secretsOf('glance-az1-edge-api')).toEqual(['ceph-central', 'ceph-az1']);
    });

    test('another mount for some of the APIs is refused: every API pod mounts the deployment\'s volumes', () => {
      const cr = extraVol([{
        propagation: ['az0'],
        volumes: [{ name: 'p', configMap: { name: 'pol' } }],
        mounts: [{ name: 'p', mountPath: '/etc/glance/policy.d' }],
      }]);
      Object.assign(cr.spec as any, { customServiceConfig: rbd, glanceAPIs: two });
      refused(cr, 'spec.extraMounts[0].extraVol[0].propagation', 'a mount for some of the APIs (az0) other than Ceph\'s files at /etc/ceph');
    });

    test('naming no API of the CR, it is another service\'s instance\'s', () => {
      refused(cephFor(['az9'], two), 'spec.extraMounts', 'mounts none at /etc/ceph');
    });
  });

  test('a projection without sources mounts no Ceph Secret', () => {
    const cr = mounted([{ name: 'c', projected: {} }], [{ name: 'c', mountPath: '/etc/ceph' }]);
    (cr.spec as any).customServiceConfig = rbd;
    refused(cr, 'spec.extraMounts', '(got "no Ceph Secret")');
  });
});

describe('a store option that extraMounts gave is named by the extraMounts, not by customServiceConfig', () => {
  const nfsAt = (server: string) => glance({
    customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:file\n',
    extraMounts: [{
      extraVol: [{
        volumes: [{ name: 'n', nfs: { server, path: '/exports/glance' } }],
        mounts: [{
          name: 'n',
          mountPath: '/var/lib/glance/images',
        }],
      }],
    }],
  });

  test('an NFS server that is no host', () => {
    expectRejected(nfsAt('not a host!'), 'spec.extraMounts', noStore());
  });

  test('a Ceph Secret name that is no DNS label', () => {
    expectRejected(glance({
      customServiceConfig: rbd,
      extraMounts: [{ extraVol: [{ volumes: [cephSecret('Ceph_Conf')], mounts: [{ name: 'Ceph_Conf', mountPath: '/etc/ceph' }] }] }],
    }), 'spec.extraMounts', noStore());
  });
});

test('a store option of customServiceConfig that the store\'s factory refuses is named by the CR\'s customServiceConfig', () => {
  expectRejected(glance({
    customServiceConfig: `${rbd}[default_backend]\nrbd_store_pool = my pool\n`,
    extraMounts: [{ extraVol: [{ volumes: [cephSecret('ceph')], mounts: [{ name: 'ceph', mountPath: '/etc/ceph' }] }] }],
  }), 'spec.customServiceConfig', noStore());
});
