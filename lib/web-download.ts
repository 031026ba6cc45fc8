import { GlanceValidationError } from './errors';
import { HOST } from './names';

/**
 * Image import through web-download, where Glance itself fetches a URL a user gives. Glance's
 * default filtering blocks loopback and metadata addresses but not in-cluster ones (Service and
 * pod IPs on ports 80/443), so any project member could make Glance fetch an internal URL: an
 * SSRF. It is therefore offered only with an explicit allow-list.
 */
export interface WebDownloadOptions {
  /** Hosts (names or IP addresses) Glance may download from ([import_filtering_opts] allowed_hosts). */
  readonly allowedHosts: string[];
  /**
   * URL schemes Glance may download with (allowed_schemes).
   * @default ["https"]
   */
  readonly allowedSchemes?: string[];
  /**
   * Ports Glance may download from (allowed_ports).
   * @default [443]
   */
  readonly allowedPorts?: number[];
}

export function checkWebDownload(options: WebDownloadOptions): void {
  if (!Array.isArray(options.allowedHosts) || options.allowedHosts.length === 0) {
    throw new GlanceValidationError('webDownload.allowedHosts', options.allowedHosts, 'is empty',
      'list the hosts Glance may download images from, e.g. ["cloud-images.ubuntu.com"]; leave webDownload unset to keep web-download off');
  }
  options.allowedHosts.forEach((host, i) => {
    if (typeof host !== 'string' || !HOST.test(host)) {
      throw new GlanceValidationError(`webDownload.allowedHosts[${i}]`, host, 'is not a host name or IP address', 'use e.g. "cloud-images.ubuntu.com"');
    }
  });
  (options.allowedSchemes ?? []).forEach((scheme, i) => {
    if (!['http', 'https', 'ftp'].includes(scheme)) {
      throw new GlanceValidationError(`webDownload.allowedSchemes[${i}]`, scheme, 'is not a scheme Glance downloads with', 'use "https", "http" or "ftp"');
    }
  });
  (options.allowedPorts ?? []).forEach((port, i) => {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new GlanceValidationError(`webDownload.allowedPorts[${i}]`, port, 'is not a TCP port', 'use a whole number from 1 to 65535');
    }
  });
}

/** The [import_filtering_opts] options of glance.conf for an allow-list. */
export function importFilteringOptions(web: WebDownloadOptions): Record<string, string> {
  return {
    allowed_schemes: (web.allowedSchemes ?? ['https']).join(','),
    allowed_hosts: web.allowedHosts.join(','),
    allowed_ports: (web.allowedPorts ?? [443]).join(','),
  };
}
