import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KeystoneRegistrationOptions } from '../common-props';
import { GlanceValidationError } from '../errors';
import { API_PORT, checkLine, checkNamePart, checkSecretKey, HTTP_URL } from '../names';
import {
  glanceLabels, hardenJobPod, JOB_POD_DEFAULTS, kubeletLiteral, nameByTemplate, RESTRICTED_KPLUS_CONTAINER_SECURITY, SECRET_MODE,
} from '../pod-security';
import { ResolvedCommonProps } from '../service-config';
import { trustForJob } from '../tls/trust';

// keystone.registration: a Job that registers the deployment in Keystone's catalog, as the
// glance-operator's KeystoneService and KeystoneEndpoint do, with a script of its own (keystoneauth1).

/** The registration script, shipped beside this module (projen's package includes lib/keystone/*.py). */
export const REGISTRATION_SCRIPT = 'glance-keystone-register.py';
const REGISTRATION_SCRIPT_TEXT = readFileSync(join(__dirname, REGISTRATION_SCRIPT), 'utf8');
const SCRIPT_DIR = '/etc/glance-keystone';

/** One endpoint Service of an API: which endpoint it is, its name, and whether it serves HTTPS. */
export interface RegisteredService {
  readonly which: 'internal' | 'public';
  readonly serviceName: string;
  readonly https: boolean;
}

/** What the registration needs of the deployment besides its props: the endpoint Services of each API, by entry of apis. */
export type ApiServices = Map<string, RegisteredService[]>;

/**
 * The registration Job, its script's Secret and, with NetworkPolicies, one that denies its pod all
 * ingress: `<name>-keystone` and `<name>-keystone-<hash of the pod template>`.
 * @internal
 */
export class KeystoneRegistration extends Construct {
  public static readonly ID = 'keystone-registration';
  public readonly jobName: string;
  public readonly scriptSecretName: string;

  constructor(scope: Construct, common: ResolvedCommonProps, options: KeystoneRegistrationOptions, apis: ApiServices) {
    super(scope, KeystoneRegistration.ID);
    const at = 'keystone.registration';
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new GlanceValidationError(at, options, 'is not an object',
        'give e.g. { adminPasswordSecret: { name: "osp-secret", key: "AdminPassword" } }');
    }
    checkSecretKey(`${at}.adminPasswordSecret`, options.adminPasswordSecret);
    for (const key of ['adminUsername', 'adminProjectName', 'adminDomainName'] as const) {
      if (options[key] !== undefined) checkLine(`${at}.${key}`, options[key], 'use a single-line Keystone name');
    }
    const urls = endpointUrls(at, options, apis, Chart.of(this).namespace, common.behindTlsProxy);
    const keystone = common.storeContext.keystone;
    const values: Record<string, string> = {
      KEYSTONE_AUTH_URL: keystone.authUrl,
      ADMIN_USERNAME: options.adminUsername ?? 'admin',
      ADMIN_PROJECT_NAME: options.adminProjectName ?? 'admin',
      ADMIN_DOMAIN_NAME: options.adminDomainName ?? 'Default',
      SERVICE_USERNAME: keystone.username,
      SERVICE_PROJECT_NAME: keystone.projectName,
      SERVICE_DOMAIN_NAME: keystone.domainName,
      ...(keystone.region ? { REGION: keystone.region } : {}),
      INTERNAL_URL: urls.internal,
      PUBLIC_URL: urls.public,
      // quotas: the limits every project has unless Keystone holds one of its own.
      ...(common.keystoneLimits ? { REGISTERED_LIMITS: Object.entries(common.keystoneLimits).map(([name, n]) => `${name}=${n}`).join(',') } : {}),
    };
    const secret = (id: string, name: string) => kplus.Secret.fromSecretName(this, id, name);
    const trust = trustForJob(this, common.tls);

    this.scriptSecretName = `${common.name}-keystone`;
    new kplus.Secret(this, 'script', {
      metadata: { name: this.scriptSecretName, labels: glanceLabels('keystone-registration') },
      stringData: { [REGISTRATION_SCRIPT]: REGISTRATION_SCRIPT_TEXT },
    });
    const script = kplus.Volume.fromSecret(this, 'script-volume', secret('script-ref', this.scriptSecretName), { defaultMode: SECRET_MODE });
    const podLabel = { 'glance.openstack.org/keystone-of': common.name };
    const job = new kplus.Job(this, 'job', {
      ...JOB_POD_DEFAULTS,
      metadata: { labels: glanceLabels('keystone-registration') },
      podMetadata: {
        labels: glanceLabels('keystone-registration', podLabel),
        // A new script (a library upgrade) is a new pod template, so a new Job that runs it.
        annotations: { 'glance.openstack.org/script-hash': createHash('sha256').update(REGISTRATION_SCRIPT_TEXT).digest('hex') },
      },
      backoffLimit: 6,
      containers: [{
        name: 'keystone-registration',
        image: common.image,
        imagePullPolicy: common.imagePullPolicy,
        command: ['python3', `${SCRIPT_DIR}/${REGISTRATION_SCRIPT}`],
        envVariables: {
          // The kubelet expands $(VAR) in values: a `$` written in a prop reaches the script as written.
          ...Object.fromEntries(Object.entries(values).map(([name, value]) => [name, kplus.EnvValue.fromValue(kubeletLiteral([value])[0])])),
          ADMIN_PASSWORD: kplus.EnvValue.fromSecretValue({
            secret: secret('admin-password', options.adminPasswordSecret.name),
            key: options.adminPasswordSecret.key,
          }),
          SERVICE_PASSWORD: kplus.EnvValue.fromSecretValue({
            secret: secret('service-password', keystone.passwordSecret.name),
            key: keystone.passwordSecret.key,
          }),
          ...trust.env,
        },
        securityContext: RESTRICTED_KPLUS_CONTAINER_SECURITY,
        resources: {
          cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
          memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
        },
        volumeMounts: [{ volume: script, path: SCRIPT_DIR, readOnly: true }, ...trust.mounts],
      }],
    });
    hardenJobPod(job);
    this.jobName = nameByTemplate(job, `${common.name}-keystone`);
    if (common.networkPolicy?.enabled ?? true) {
      new k8s.KubeNetworkPolicy(this, 'network-policy', {
        metadata: { name: this.scriptSecretName, labels: glanceLabels('keystone-registration') },
        // Selected, with no ingress rule: nothing may connect to the registration's pod.
        spec: { podSelector: { matchLabels: podLabel }, policyTypes: ['Ingress'] },
      });
    }
  }
}

/** The two endpoint URLs: as given, or those of the registered API's Services, https where they have TLS. */
function endpointUrls(at: string, options: KeystoneRegistrationOptions, apis: ApiServices, namespace: string | undefined,
  behindTlsProxy: boolean): { internal: string; public: string } {
  const entries = [...apis.keys()];
  const api = options.api ?? (entries.length === 1 ? entries[0] : undefined);
  if (api === undefined) {
    throw new GlanceValidationError(`${at}.api`, options.api, `is needed: apis has ${entries.length} entries (${entries.join(', ')})`,
      'name the entry of apis whose endpoints Keystone lists, as the glance-operator\'s keystoneEndpoint does');
  }
  checkNamePart(`${at}.api`, api);
  const services = apis.get(api);
  if (!services) {
    throw new GlanceValidationError(`${at}.api`, api, 'names no entry of apis', `use one of: ${entries.join(', ')}`);
  }
  const url = (which: 'internal' | 'public'): string => {
    const prop = `${at}.${which}Url`;
    const given = options[`${which}Url`];
    if (given !== undefined) {
      if (typeof given !== 'string' || !HTTP_URL.test(given)) {
        throw new GlanceValidationError(prop, given, 'is not an http(s) URL', 'use e.g. "https://glance.example.com"');
      }
      return given;
    }
    if (which === 'public' && behindTlsProxy) {
      throw new GlanceValidationError(prop, given, 'is needed: behindTlsProxy says a proxy in front of the public endpoint terminates TLS',
        'give the proxy\'s URL, which clients use, e.g. "https://glance.example.com"');
    }
    const service = services.find((s) => s.which === which);
    if (!service) {
      throw new GlanceValidationError(prop, given, `is needed: apis.${api} serves no ${which} endpoint`,
        `give the URL clients use, or register an API that serves it (${at}.api)`);
    }
    if (namespace === undefined) {
      throw new GlanceValidationError(prop, given, `is needed: the chart has no namespace, so the ${which} Service has no cluster DNS name`,
        'give the chart a namespace, or the URL');
    }
    return `${service.https ? 'https' : 'http'}://${service.serviceName}.${namespace}.svc:${API_PORT}`;
  };
  return { internal: url('internal'), public: url('public') };
}
