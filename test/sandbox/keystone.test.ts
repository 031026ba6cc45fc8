/**
 * The Keystone harness runs a real Keystone (Debian's, served by uWSGI) that authenticates as
 * Glance's deployment will be authenticated: the identities of setupGlanceIdentities, checked
 * over the REST API. Root is not needed.
 */
import { existsSync } from 'fs';
import { GlanceIdentities, Keystone, KeystoneError } from './keystone';

const GLANCE_PASSWORD = 'glance-keystone-secret';
const IMAGE_URL = 'http://glance-default-public.openstack.svc:9292';

let keystone: Keystone;
let ids: GlanceIdentities;

beforeAll(async () => {
  keystone = new Keystone();
  await keystone.start();
  ids = await keystone.setupGlanceIdentities(GLANCE_PASSWORD, IMAGE_URL);
});

afterAll(async () => {
  await keystone?.stop();
});

const roleNames = (token: any): string[] => token.roles.map((role: any) => role.name).sort();

/** The roles assigned to a user on a project (not the implied ones), by name. */
async function assignedRoles(userId: string, projectId: string): Promise<string[]> {
  const response = await keystone.request('GET', `/v3/role_assignments?user.id=${userId}&scope.project.id=${projectId}&include_names=true`,
    { token: await keystone.adminToken() });
  expect(response.status).toBe(200);
  return response.body.role_assignments.map((assignment: any) => assignment.role.name).sort();
}

test('a wrong password gets 401', async () => {
  const failure = await keystone.token('glance', 'wrong-password', 'service').catch((error) => error);
  expect(failure).toBeInstanceOf(KeystoneError);
  expect(failure.status).toBe(401);
});

// Keystone's bootstrap makes admin imply member and member imply reader: a token carries the
// assigned roles and those they imply, as in a cluster.
test('the glance user\'s token validates and carries roles admin and service in project service', async () => {
  const token = await keystone.token('glance', GLANCE_PASSWORD, 'service');
  const response = await keystone.request('GET', '/v3/auth/tokens', { token: await keystone.adminToken(), headers: { 'X-Subject-Token': token } });
  expect(response.status).toBe(200);
  expect(response.body.token.user).toMatchObject({ id: ids.glanceUserId, name: 'glance' });
  expect(response.body.token.project).toMatchObject({ id: ids.serviceProjectId, name: 'service' });
  expect(await assignedRoles(ids.glanceUserId, ids.serviceProjectId)).toEqual(['admin', 'service']);
  expect(roleNames(response.body.token)).toEqual(['admin', 'member', 'reader', 'service']);
});

test('the member\'s token carries only role member (and reader, which it implies), in project demo', async () => {
  const token = await keystone.validateToken(await keystone.token(ids.member.name, ids.member.password, 'demo'));
  expect(token.project).toMatchObject({ id: ids.demoProjectId, name: 'demo' });
  expect(await assignedRoles(ids.memberUserId, ids.demoProjectId)).toEqual(['member']);
  expect(roleNames(token)).toEqual(['member', 'reader']);
});

test('the catalog lists the image service with its public and internal endpoints', async () => {
  const token = await keystone.validateToken(await keystone.token(ids.member.name, ids.member.password, 'demo'));
  const image = token.catalog.find((service: any) => service.type === 'image');
  expect(image).toMatchObject({ id: ids.imageServiceId, name: 'glance' });
  expect(image.endpoints.map((e: any) => [e.interface, e.url, e.region_id]).sort()).toEqual([
    ['internal', IMAGE_URL, 'regionOne'],
    ['public', IMAGE_URL, 'regionOne'],
  ]);
  const identity = token.catalog.find((service: any) => service.type === 'identity');
  expect(identity.endpoints.map((e: any) => e.url)).toEqual(Array(3).fill(`${keystone.url}/v3`));
});

test('createRole is idempotent', async () => {
  expect((await keystone.createRole('service')).id).toBe(ids.roleIds.service);
});

test('stop() kills it, frees the port and removes its directory', async () => {
  expect(await keystone.listening()).toBe(true);
  await keystone.stop();
  expect(await keystone.listening()).toBe(false);
  expect(existsSync(keystone.root)).toBe(false);
});
