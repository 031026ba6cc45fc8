import { readFileSync } from 'fs';
import { join } from 'path';
import { k8s } from 'cdk8s-plus-28';
import { EndpointTls, ResolvedTls } from './resolve';
import { BEHIND_TERMINATOR } from '../api-serving';
import { API_PORT } from '../names';
import { CONFIG_DIR, RESTRICTED_CONTAINER_SECURITY, SECRET_MODE } from '../pod-security';

// The rendering layer of TLS: the API pod's TLS terminator (Apache httpd).

/** Where glance-api listens behind the terminator (api-serving.ts): the pod's loopback address, a port no Service names. */
const UPSTREAM = BEHIND_TERMINATOR;

/** The terminator's files in the API's config Secret: oslo.config reads only *.conf there, so neither is one. */
export const HTTPD_CONFIG = 'glance-httpd.cfg';
export const HTTPD_SCRIPT = 'glance-httpd.sh';
const HTTPD_SCRIPT_TEXT = readFileSync(join(__dirname, HTTPD_SCRIPT), 'utf8');
/** Where each endpoint's certificate is mounted: a directory, so that the kubelet updates it in place. */
const certificateDir = (which: string) => `/etc/glance/tls/${which}`;
const RUN_DIR = '/var/run/glance-httpd';

/** The modules the terminator loads, unless its httpd has them built in. */
const MODULES: Array<[string, string]> = [
  // authz_core: without an authorization module httpd answers every request 500 (AH00025 "couldn't check user").
  ['unixd_module', 'mod_unixd.so'], ['authz_core_module', 'mod_authz_core.so'], ['log_config_module', 'mod_log_config.so'],
  ['ssl_module', 'mod_ssl.so'],
  ['socache_shmcb_module', 'mod_socache_shmcb.so'], ['proxy_module', 'mod_proxy.so'], ['proxy_http_module', 'mod_proxy_http.so'],
  ['headers_module', 'mod_headers.so'],
];

/** The terminator's files: its httpd configuration, for these endpoints (internal first), and its start script. */
export function terminatorFiles(statefulSetName: string, endpoints: EndpointTls[]): Record<string, string> {
  const lines = [
    `# Apache httpd, the TLS terminator of the Glance API StatefulSet ${statefulSetName} (cdk8s-glance): HTTPS on port ${API_PORT},`,
    `# proxied to glance-api on ${UPSTREAM.host}:${UPSTREAM.port}. ${HTTPD_SCRIPT} starts it with MODULES (the image's module`,
    '# directory) and RUN_DIR (an emptyDir) defined, and reloads it when a certificate changes.',
    `Define LISTEN ${API_PORT}`,
    `Define UPSTREAM ${UPSTREAM.host}:${UPSTREAM.port}`,
    // One MPM: event, unless the binary has one built in.
    '<IfModule !mpm_event_module>', '<IfModule !mpm_worker_module>', '<IfModule !mpm_prefork_module>',
    '  LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so',
    '</IfModule>', '</IfModule>', '</IfModule>',
    ...MODULES.flatMap(([module, file]) => [`<IfModule !${module}>`, `  LoadModule ${module} \${MODULES}/${file}`, '</IfModule>']),
    'ServerName localhost',
    'Listen ${LISTEN} https',
    'PidFile ${RUN_DIR}/httpd.pid',
    'DefaultRuntimeDir ${RUN_DIR}',
    'ErrorLog /proc/self/fd/2',
    'LogFormat "%v %a \\"%r\\" %>s %B %D" glance',
    'CustomLog /proc/self/fd/1 glance',
    'ServerTokens Prod',
    'ServerSignature Off',
    'TraceEnable Off',
    // Images are streamed: no size limit here (Glance's image_size_cap applies), and 5 minutes without a byte ends a transfer.
    'LimitRequestBody 0',
    'Timeout 300',
    'KeepAliveTimeout 5',
    'SSLProtocol all -SSLv3 -TLSv1 -TLSv1.1',
    'SSLCipherSuite ECDHE+AESGCM:DHE+AESGCM:!aNULL:!MD5:!RC4:!3DES',
    'SSLHonorCipherOrder On',
    'SSLSessionCache shmcb:${RUN_DIR}/ssl_scache(512000)',
    'SSLUseStapling Off',
    'ProxyRequests Off',
    // Glance builds its links from the Host the client used and the scheme below ([oslo_middleware] enable_proxy_headers_parsing).
    'ProxyPreserveHost On',
    'ProxyAddHeaders Off',
    ...endpoints.flatMap((endpoint, i) => virtualHost(statefulSetName, endpoint, i === 0)),
  ];
  return { [HTTPD_CONFIG]: lines.join('\n') + '\n', [HTTPD_SCRIPT]: HTTPD_SCRIPT_TEXT };
}

/** One endpoint's virtual host, chosen by SNI; the first also answers every other name (the replicas', an IP). */
function virtualHost(statefulSetName: string, endpoint: EndpointTls, first: boolean): string[] {
  const fqdn = (host: string) => [`${host}.\${POD_NAMESPACE}.svc`, `${host}.\${POD_NAMESPACE}.svc.cluster.local`];
  const [name, ...aliases] = [...fqdn(endpoint.serviceName), ...(first ? fqdn(`*.${statefulSetName}`) : [])];
  const dir = certificateDir(endpoint.which);
  return [
    `# The ${endpoint.which} endpoint (Service ${endpoint.serviceName}), with the certificate of Secret ${endpoint.secretName}.`,
    '<VirtualHost *:${LISTEN}>',
    `  ServerName ${name}`,
    `  ServerAlias ${aliases.join(' ')}`,
    '  SSLEngine on',
    `  SSLCertificateFile ${dir}/tls.crt`,
    `  SSLCertificateKeyFile ${dir}/tls.key`,
    '  AllowEncodedSlashes NoDecode',
    // Only the terminator says how the client came: headers a client sends that would change Glance's links are dropped.
    '  RequestHeader unset Forwarded',
    '  RequestHeader unset X-Forwarded-Host',
    '  RequestHeader unset X-Forwarded-Prefix',
    '  RequestHeader set X-Forwarded-Proto https',
    '  ProxyPass / http://${UPSTREAM}/ nocanon retry=0',
    '  ProxyPassReverse / http://${UPSTREAM}/',
    '</VirtualHost>',
  ];
}

/** The terminator's volumes: its run directory, and each endpoint's certificate Secret. */
export function terminatorVolumes(endpoints: EndpointTls[]): k8s.Volume[] {
  if (endpoints.length === 0) return [];
  return [
    { name: 'httpd-run', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
    ...endpoints.map((endpoint) => ({
      name: `tls-${endpoint.which}`,
      secret: {
        secretName: endpoint.secretName,
        defaultMode: SECRET_MODE,
        items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }],
      },
    })),
  ];
}

/** The terminator's container, in front of glance-api: the pod's port 9292 is its. */
export function terminatorContainer(tls: ResolvedTls, imagePullPolicy: string, endpoints: EndpointTls[]): k8s.Container {
  return {
    name: 'glance-httpd',
    image: tls.proxyImage,
    imagePullPolicy,
    command: ['/bin/sh', `${CONFIG_DIR}/${HTTPD_SCRIPT}`],
    ports: [{ name: 'glance-api', containerPort: API_PORT }],
    // The virtual hosts' names hold the namespace.
    env: [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
    resources: {
      requests: {
        'cpu': k8s.Quantity.fromString('100m'),
        'memory': k8s.Quantity.fromString('64Mi'),
        'ephemeral-storage': k8s.Quantity.fromString('64Mi'),
      },
      limits: { 'memory': k8s.Quantity.fromString('512Mi'), 'ephemeral-storage': k8s.Quantity.fromString('256Mi') },
    },
    securityContext: RESTRICTED_CONTAINER_SECURITY,
    volumeMounts: [
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'httpd-run', mountPath: RUN_DIR },
      ...endpoints.map((endpoint) => ({ name: `tls-${endpoint.which}`, mountPath: certificateDir(endpoint.which), readOnly: true })),
    ],
  };
}
