import { Construct } from 'constructs';
import { EndpointTls, ResolvedTls } from './resolve';
import { Certificate, CertificateSpecUsages } from '../imports/cert-manager.io';
import { glanceLabels } from '../pod-security';

/**
 * The cert-manager Certificates of the endpoints whose certificates the library issues, named as
 * the openstack-operator names Glance's: Certificate `<name>-<api>-<endpoint>-svc`, Secret `cert-<name>-<api>-<endpoint>-svc`.
 * cert-manager renews each before it expires (at renewBefore, or by its default when two thirds of
 * its duration have passed), and the API's TLS terminator loads the renewed one without a restart.
 */
export function issueCertificates(scope: Construct, endpoints: EndpointTls[], validity: ResolvedTls['validity']): void {
  for (const endpoint of endpoints) {
    if (!endpoint.issued) continue;
    const { issuer, dnsNames } = endpoint.issued;
    new Certificate(scope, `certificate-${endpoint.which}`, {
      // Stryker disable next-line Regex: an issued endpoint's Secret name always starts with "cert-", so the first "cert-" is that one
      metadata: { name: endpoint.secretName.replace(/^cert-/, ''), labels: glanceLabels(`certificate-${endpoint.which}`) },
      spec: {
        secretName: endpoint.secretName,
        secretTemplate: { labels: glanceLabels(`certificate-${endpoint.which}`) },
        issuerRef: { name: issuer.name, kind: issuer.kind, group: issuer.group },
        dnsNames,
        duration: validity[endpoint.which].duration,
        renewBefore: validity[endpoint.which].renewBefore,
        usages: [CertificateSpecUsages.KEY_ENCIPHERMENT, CertificateSpecUsages.DIGITAL_SIGNATURE, CertificateSpecUsages.SERVER_AUTH],
      },
    });
  }
}
