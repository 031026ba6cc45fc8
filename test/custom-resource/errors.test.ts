import { crOptions, expectRejected, glance, noStore } from './cr-helpers';
import { GLANCE_SPEC_FIELDS, readCustomResource } from '../../lib/custom-resource';
import { GlanceValidationError } from '../../lib/errors';

describe('what the library validates is validated for CRs too, and named by its CR path', () => {
  test.each([
    [glance({ imageCache: { size: '10 Gi' } }), 'spec.imageCache.size'],
    [glance({ glanceAPIs: { edge1: { replicas: -1 } } }), 'spec.glanceAPIs.edge1.replicas'],
    [glance({ glanceAPIs: { default: { imageCache: { size: '1Gi', prunerScheduler: '0 25 * * *' } } } }),
      'spec.glanceAPIs.default.imageCache.prunerScheduler'],
    [glance({ glanceAPIs: { default: { imageCache: { size: '1Gi', cleanerScheduler: 'often' } } } }),
      'spec.glanceAPIs.default.imageCache.cleanerScheduler'],
    [glance({ dbPurge: { age: 0 } }), 'spec.dbPurge.age'],
    [glance({ secret: 'Not_A_Name' }), 'spec.secret'],
    [{ ...glance({}), metadata: { name: 'UPPER' } }, 'metadata.name'],
  ])('%j is refused at %s', (cr, path) => {
    expectRejected(cr, path);
  });

  const rbdInCr = glance({ customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:rbd\n' });

  test('a store in customServiceConfig without its Ceph Secret mounted names extraMounts', () => {
    expectRejected(rbdInCr, 'spec.extraMounts', noStore());
  });

  test('a store given both in the CR and as an option names customServiceConfig', () => {
    expectRejected(rbdInCr, 'spec.customServiceConfig');
  });
});

describe('errors in the CR\'s terms: each prop path becomes the field (or CLI flag) it came from', () => {
  const translate = (cr: unknown, prop: string, options = crOptions()) =>
    readCustomResource(cr, options).inCrTerms(new GlanceValidationError(prop, 'v', 'is bad', 'the fix'));
  const controlPlane = { kind: 'OpenStackControlPlane', spec: { glance: { template: { glanceAPIs: { default: {} } } } } };

  test.each([
    ['name', 'metadata.name'],
    ['image', 'spec.containerImage'],
    ['release', '--release'],
    ['database', '--database-secret'],
    ['database.connectionSecret.key', '--database-secret'],
    ['keystone.passwordSecret.name', 'spec.secret'],
    ['keystone.passwordSecret.key', 'spec.passwordSelectors.service'],
    ['keystone.username', 'spec.serviceUser'],
    ['keystone.authUrl', '--keystone-url'],
    ['keystone.publicAuthUrl', '--keystone-url'],
    ['apis.default.imageCache.prunerSchedule', 'spec.glanceAPIs.default.imageCache.prunerScheduler'],
    ['apis.edge-1.imageCache.cleanerSchedule', 'spec.glanceAPIs.edge-1.imageCache.cleanerScheduler'],
    ['apis.a.resources.cpuRequest', 'spec.glanceAPIs.a.resources.requests.cpu'],
    ['apis.a.resources.memoryRequest', 'spec.glanceAPIs.a.resources.requests.memory'],
    ['apis.a.resources.cpuLimit', 'spec.glanceAPIs.a.resources.limits.cpu'],
    ['apis.a.resources.memoryLimit', 'spec.glanceAPIs.a.resources.limits.memory'],
    ['apis.a.endpointServices.internalService.serviceType', 'spec.glanceAPIs.a.override.service.internal.spec.type'],
    ['apis.a.endpointServices.publicService.serviceType', 'spec.glanceAPIs.a.override.service.public.spec.type'],
    ['apis.a.endpointServices.internalService.annotations.x/y', 'spec.glanceAPIs.a.override.service.internal.metadata.annotations.x/y'],
    ['apis.a.endpointServices.publicService.labels', 'spec.glanceAPIs.a.override.service.public.metadata.labels'],
    ['apis.a.replicas', 'spec.glanceAPIs.a.replicas'],
    ['apis', 'spec.glanceAPIs'],
    ['dbPurge.ageInDays', 'spec.dbPurge.age'],
    ['dbPurge.schedule', 'spec.dbPurge.schedule'],
    ['imageCache.size', 'spec.imageCache.size'],
    ['storage.storageRequest', 'spec.storage.storageRequest'],
    ['customServiceConfig', 'spec.customServiceConfig'],
    ['limits.imageSizeCap', 'limits.imageSizeCap'],
    ['imageCacheSize', 'imageCacheSize'],
  ])('%s → %s', (prop, field) => {
    const renamed = translate(glance({}), prop);
    expect(renamed.prop).toBe(field);
    expect(renamed.message).toBe(`${field}: is bad (got "v"). Fix: the fix`);
  });

  test('in a control plane the fields sit under spec.glance.template', () => {
    expect(translate(controlPlane, 'imageCache.size').prop).toBe('spec.glance.template.imageCache.size');
    expect(translate(controlPlane, 'apis.default.replicas').prop).toBe('spec.glance.template.glanceAPIs.default.replicas');
    expect(translate(controlPlane, 'image').prop).toBe('spec.glance.template.containerImage');
  });

  test('a store error names the CLI flags when the CR has no store, with their fix', () => {
    const none = translate(glance({}), 'backend.sharedStore');
    expect(none.prop).toBe('spec.extraMounts (or --ceph-secret, --shared-claim)');
    expect(none.fix).toMatch(/^mount an NFS volume at \/var\/lib\/glance\/images through extraMounts, give --shared-claim NAME/);
  });

  test('a store error names the CR field when the CR has a store, with its fix', () => {
    const swift = translate(glance({ customServiceConfig: '[DEFAULT]\nenabled_backends = default_backend:swift\n' }), 'backend.region', noStore());
    expect(swift.prop).toBe('spec.customServiceConfig');
    expect(swift.fix).toBe('mount an NFS volume at /var/lib/glance/images through extraMounts, or use Ceph');
  });

  // The translation is built from the field table: every field read into a prop is named by its own path.
  const rows = Object.entries(GLANCE_SPEC_FIELDS).flatMap(([field, row]) => {
    if (row.kind !== 'read' || row.prop === undefined) return [];
    const parts = Object.entries(row.parts ?? { '': '' });
    return parts.map(([prop, part]) => [[row.prop, prop].filter(Boolean).join('.'), [field, part].filter(Boolean).join('.')]);
  });

  test('the field table reads fields into props, with the props of their parts', () => {
    expect(rows.length).toBeGreaterThan(25);
    expect(rows).toContainEqual(['apis.*.endpointServices.internalService.serviceType', 'glanceAPIs.*.override.service.internal.spec.type']);
  });

  test.each(rows)('the prop %s of a read field names the field %s', (prop, field) => {
    const named = (path: string) => path.replace(/\*/g, 'api-0');
    expect(translate(glance({}), named(prop)).prop).toBe(`spec.${named(field)}`);
    expect(translate(glance({}), `${named(prop)}.below`).prop).toBe(`spec.${named(field)}.below`);
  });
});
