/**
 * How real operator inputs import with TLS: npx ts-node scripts/cr-tls-corpus.ts FILE.yaml...
 *
 * Each file holds one Glance CR or OpenStackControlPlane (kustomize's output where the repository
 * builds it so). Each is read twice, with the CLI's defaults and no store flag:
 * - whole: as it is; refused for whatever the reader refuses (a store, notifications, ...);
 * - tls-only: spec.tls, serviceName and each API's type and tls, nothing else, on an rbd store: whether its TLS imports.
 * One line per file and pass: accepted with the Certificates issued and the Secrets served, or the
 * refusal. test/custom-resource/tls-corpus.test.ts pins fields of the inputs copied from these.
 */
import { readFileSync } from 'fs';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Glance, ImageBackend } from '../lib';
import { GlanceValidationError } from '../lib/errors';

function tlsOnly(cr: any): any {
  if (cr.kind === 'OpenStackControlPlane') {
    const template = cr.spec.glance?.template ?? {};
    return {
      kind: cr.kind,
      metadata: cr.metadata,
      spec: {
        ...(cr.spec.tls === undefined ? {} : { tls: cr.spec.tls }),
        glance: { serviceName: cr.spec.glance?.serviceName, template: { glanceAPIs: apisOf(template.glanceAPIs) } },
      },
    };
  }
  return { kind: cr.kind, metadata: cr.metadata, spec: { glanceAPIs: apisOf(cr.spec.glanceAPIs) } };
}

function apisOf(apis: Record<string, any> | undefined): Record<string, any> {
  return Object.fromEntries(Object.entries(apis ?? {}).map(([name, api]) =>
    [name, { ...(api?.type ? { type: api.type } : {}), ...(api?.tls ? { tls: api.tls } : {}) }]));
}

function importOf(cr: any, backend?: ImageBackend): string {
  const namespace = cr.metadata?.namespace ?? 'openstack';
  const chart = new Chart(new App(), 'glance', { namespace });
  try {
    Glance.fromCustomResource(chart, 'glance', cr, {
      database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
      keystoneAuthUrl: `https://keystone-internal.${namespace}.svc:5000`,
      backend,
    });
  } catch (e) {
    if (e instanceof GlanceValidationError) return `REFUSED ${e.prop}: ${e.problem}`;
    throw e;
  }
  const m = Testing.synth(chart);
  const certs = m.filter((o) => o.kind === 'Certificate').map((c) => `${c.metadata.name}(${c.spec.issuerRef.name},${c.spec.duration})`);
  const secrets = m.filter((o) => o.kind === 'StatefulSet').flatMap((s) => s.spec.template.spec.volumes
    .filter((v: any) => v.name.startsWith('tls-')).map((v: any) => `${s.metadata.name}:${v.secret.secretName}`));
  const bundle = m.filter((o) => o.kind === 'StatefulSet').map((s) => s.spec.template.spec.volumes.find((v: any) => v.name === 'ca-bundle'))
    .find((v) => v)?.secret.secretName ?? 'none';
  const db = m.some((o) => o.kind === 'Secret' && /connection_parameters = ssl_ca=/.test(o.stringData?.['00-glance.conf'] ?? ''));
  return `${secrets.length ? 'HTTPS' : 'HTTP'} certificates=[${certs.join(' ')}] secrets=[${secrets.join(' ')}] bundle=${bundle} dbTls=${db}`;
}

process.emitWarning = () => undefined;
for (const file of process.argv.slice(2)) {
  const cr = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS())
    .find((d) => d?.kind === 'OpenStackControlPlane' || d?.kind === 'Glance');
  if (!cr) {
    console.log(`${file}\tNO-GLANCE`);
    continue;
  }
  console.log(`${file}\twhole\t${importOf(cr)}`);
  console.log(`${file}\ttls-only\t${importOf(tlsOnly(cr), ImageBackend.rbd({ cephSecretName: 'ceph-conf-files' }))}`);
}
