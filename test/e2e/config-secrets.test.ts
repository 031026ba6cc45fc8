/**
 * configSecrets on real Glance 25.1.0 (Debian bookworm) and 30.0.0 (Debian trixie), behind a real
 * Keystone (../sandbox/keystone.ts) with a real MariaDB, each process in its pod sandbox: the API
 * pod's init container `config-secrets` (the image's python3 and oslo.config) checks the user's
 * Secrets and writes them into the pod's config directory, then glance-api reads them. The pod
 * sandbox runs a new pod's init containers in order, as the kubelet does, and lays the Secrets out as
 * the kubelet does (`..data`, a symlink per key). Nothing of the config is overlaid: the overlay sets
 * only bind_host.
 *
 * What a user of configSecrets relies on: the options of the Secrets apply (each Secret in the order
 * listed, its keys in name order, after customServiceConfig), the file holding them is the glance
 * user's only; an option customServiceConfig may not set stops the pod before glance-api starts, with
 * the synth-time guard's very message naming the Secret, key and option; a changed Secret applies at
 * the next pod, checked again.
 */
import {
  GLANCE_IMAGES, glanceVersion, InitContainerFailed, keystoneForFile, realKeystone, SandboxedGlance, synthesizeWithKeystone,
} from './sandboxed-glance';
import { ImageBackend } from '../../lib';
import { checkIniAssignments } from '../../lib/config-guard';
import { ConfigSecretsRules, CONFIG_SECRETS_RULES } from '../../lib/config-secrets';
import { readIni } from '../../lib/ini';
import { SandboxNode } from '../sandbox/pod-sandbox';

const STS = 'glance-default-single';
const NAMESPACE = 'openstack';
const GLANCE_PASSWORD = 'e2e-glance-service-password';
const KEYSTONE_HOST = `keystone-internal.${NAMESPACE}.svc`;
/** Two Secrets, as `kubectl create secret generic --from-file` makes them. */
const QUOTAS = { 'tags.conf': '[DEFAULT]\n# Read after customServiceConfig, which says 10.\nimage_tag_quota = 2\n' };
const PROPERTIES = { 'b-properties.conf': 'image_property_quota = 3\n', 'a-header.conf': '[DEFAULT]' };
const REFUSED = { 'auth.conf': '[DEFAULT]\nimage_tag_quota = 2\n[paste_deploy]\nflavor = keystone+cachemanagement\n' };

const file = keystoneForFile('configSecrets, what each request got:', GLANCE_PASSWORD, NAMESPACE);
const { keystone, lines } = file;

describe.each([['Glance 25.1.0', GLANCE_IMAGES.bookworm], ['Glance 30.0.0', GLANCE_IMAGES.trixie]])('%s: configSecrets', (release, image) => {
  let glance: SandboxedGlance;
  let token: string;

  async function status(method: string, path: string, body?: unknown): Promise<number> {
    const answer = (await glance.request(0, token, method, path, body)).status;
    lines.push(`${release.padEnd(14)} ${method} ${path}: ${answer}`);
    return answer;
  }

  beforeAll(async () => {
    expect(glanceVersion(image)).toBe(release.replace('Glance ', ''));
    const manifests = synthesizeWithKeystone(image, keystone.urlAt(KEYSTONE_HOST), {
      customServiceConfig: '[DEFAULT]\nimage_tag_quota = 10\n',
      configSecrets: ['glance-quotas', 'glance-properties'],
      imageCache: { size: '256Mi' },
      apis: { default: {} },
    });
    glance = new SandboxedGlance(manifests, STS, NAMESPACE, { 'glance-images-nfs': '1Gi' }, image,
      { 'osp-secret': { GlancePassword: GLANCE_PASSWORD }, 'glance-quotas': QUOTAS, 'glance-properties': PROPERTIES },
      { keystone: realKeystone(keystone, KEYSTONE_HOST) });
    await glance.prepare();
    await glance.start(0);
    token = await keystone.token(file.member.name, file.member.password, 'demo');
  });

  afterAll(async () => {
    await glance?.destroy();
  });

  test(`${release}: glance-api's config directory holds the library's files and the Secrets' text, the glance user's only`, async () => {
    const listing = await glance.pod(0).run({
      exec: ['sh', '-c', 'cd /etc/glance/glance.conf.d && stat -c "%n %a %u" 00-glance.conf 50-custom.conf 70-config-secrets.conf '
        + '&& cat 70-config-secrets.conf && touch x 2>/dev/null || echo read-only'],
    });
    expect(listing.stdout).toBe([
      '00-glance.conf 440 42415', '50-custom.conf 440 42415', '70-config-secrets.conf 440 42415',
      // Each Secret in the order listed, its keys in name order, each followed by a newline: as the glance-operator joins them.
      QUOTAS['tags.conf'], `${PROPERTIES['a-header.conf']}\n${PROPERTIES['b-properties.conf']}`, 'read-only', '',
    ].join('\n'));
  });

  test(`${release}: the Secrets' options apply, after customServiceConfig`, async () => {
    const created = await glance.request(0, token, 'POST', '/v2/images',
      { name: 'quota', disk_format: 'raw', container_format: 'bare', a: '1', b: '2', c: '3' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    // image_property_quota = 3 (the second Secret): an image with a fourth property is refused.
    expect(await status('POST', '/v2/images', { name: 'over', disk_format: 'raw', container_format: 'bare', a: '1', b: '2', c: '3', d: '4' }))
      .toBe(413);
    // image_tag_quota = 2 (the first Secret, over customServiceConfig's 10).
    expect(await status('PUT', `/v2/images/${id}/tags/one`)).toBe(204);
    expect(await status('PUT', `/v2/images/${id}/tags/two`)).toBe(204);
    expect(await status('PUT', `/v2/images/${id}/tags/three`)).toBe(413);
  });

  test(`${release}: an option customServiceConfig may not set stops the pod before glance-api starts, with the synth-time guard's message; `
    + 'the Secret corrected, the next pod starts', async () => {
    const rules: ConfigSecretsRules = JSON.parse(glance.node.secretData(glance.configSecretName)[CONFIG_SECRETS_RULES]);
    const prop = 'configSecrets[0] (Secret "glance-quotas", key "auth.conf")';
    let expected = '';
    try {
      checkIniAssignments(prop, readIni(prop, REFUSED['auth.conf']), rules.managed, rules.substitution, 'configSecrets');
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(expected).toMatch(/^configSecrets\[0\] \(Secret "glance-quotas", key "auth.conf"\): overrides an option cdk8s-glance manages/);

    glance.node.setSecret('glance-quotas', REFUSED);
    const failure = await glance.replace(0).then(() => undefined, (e) => e);
    expect(failure).toBeInstanceOf(InitContainerFailed);
    expect((failure as InitContainerFailed).container).toBe('config-secrets');
    expect((failure as InitContainerFailed).result.code).toBe(1);
    expect((failure as InitContainerFailed).result.stderr).toBe(`cdk8s-glance: ${expected}\n`);
    // Never the value: a Secret's options may be credentials.
    expect((failure as InitContainerFailed).result.stderr).not.toContain('keystone+cachemanagement');

    glance.node.setSecret('glance-quotas', QUOTAS);
    await glance.start(0);
    expect(await glance.healthy(0)).toBe(true);
  });
});

/**
 * An S3 store whose endpoint, bucket and keys come from configSecrets (ImageBackend.s3's fromConfigSecrets, the glance-operator's
 * s3 layout): the API pod's check, in the Glance image's own Python, refuses a Secret that leaves one out, before glance-api would
 * start without it. Only the check runs: no S3 endpoint here.
 */
describe.each([['Glance 25.1.0', GLANCE_IMAGES.bookworm], ['Glance 30.0.0', GLANCE_IMAGES.trixie]])('%s: an S3 store from configSecrets',
  (release, image) => {
    const STS_S3 = 'glance-default-single';
    const S3_CONF = '[default_backend]\ns3_store_host = https://s3.example.com\ns3_store_bucket = glance\ns3_store_access_key = AKIA\n';
    const check = async (data: Record<string, string>) => {
      const manifests = synthesizeWithKeystone(image, keystone.urlAt(KEYSTONE_HOST), {
        backend: ImageBackend.s3({ fromConfigSecrets: true }), configSecrets: ['s3glance'], apis: { default: {} },
      });
      const secrets = { 'glance-db': { connection: 'x' }, 'osp-secret': { GlancePassword: 'x' }, 's3glance': data };
      const node = new SandboxNode(manifests, NAMESPACE, secrets, {}, image.root);
      try {
        const pod = node.pod('StatefulSet', STS_S3, 0);
        const run = await pod.run({ container: 'config-secrets' });
        const written = await pod.run({ container: 'config-secrets', exec: ['cat', '/etc/glance/glance.conf.d/70-config-secrets.conf'] });
        return { ...run, written: written.code === 0 ? written.stdout : undefined };
      } finally {
        node.destroy();
      }
    };

    test(`${release}: a Secret without s3_store_secret_key stops the pod, naming it; with it, the check passes and writes the text`, async () => {
      const missing = await check({ 's3.conf': S3_CONF });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe('cdk8s-glance: configSecrets: set no [default_backend] s3_store_secret_key, which backend '
        + '(ImageBackend.s3() with fromConfigSecrets) takes from them (got ["s3glance"]). Fix: set it in one of the Secrets: a key of '
        + 'oslo.config text with "[default_backend]" and "s3_store_secret_key = ..."\n');
      expect(missing.written).toBeUndefined();
      const complete = await check({ 's3.conf': `${S3_CONF}s3_store_secret_key = s3cr3t\n` });
      expect(complete.code).toBe(0);
      expect(complete.written).toBe(`${S3_CONF}s3_store_secret_key = s3cr3t\n\n`);
    });
  });
