/**
 * Import methods from a CR: the glance-operator's template enables [web-download,glance-direct]
 * where no customServiceConfig says otherwise; cdk8s-glance offers web-download only with an
 * allow-list (--web-download-hosts), glance-direct and copy-image always.
 */
import { crOptions, glance, synthFromCr } from './cr-helpers';
import { expectInvalid, glanceConf } from '../helpers';

const STS = 'glance-default-single';
const single = (more: object = {}, api: object = {}) => glance({ glanceAPIs: { default: { type: 'single', ...api } }, ...more });
const withHosts = (hosts?: string[]) => ({ ...crOptions(), ...(hosts ? { webDownloadAllowedHosts: hosts } : {}) });

describe('import methods from a CR', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => { warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined); });
  afterEach(() => warn.mockRestore());
  const noWebDownload = () => warn.mock.calls.filter((call: any[]) => call[1]?.code === 'CDK8S_GLANCE_CR_NO_WEB_DOWNLOAD').map((call) => call[0]);

  test('the operator\'s default, without hosts: no web-download, and a warning that names the API', () => {
    const conf = glanceConf(synthFromCr(single()), STS);
    expect(conf.DEFAULT.enabled_import_methods).toBe('[glance-direct,copy-image]');
    expect(noWebDownload()).toEqual([expect.stringContaining('spec.glanceAPIs.default would offer web-download')]);
  });

  test('with --web-download-hosts: web-download, fetching only from those hosts', () => {
    const conf = glanceConf(synthFromCr(single(), withHosts(['mirror.example.com'])), STS);
    expect(conf.DEFAULT.enabled_import_methods).toBe('[glance-direct,web-download,copy-image]');
    expect(conf.import_filtering_opts.allowed_hosts).toBe('[mirror.example.com]');
    expect(noWebDownload()).toEqual([]);
  });

  test('the CR\'s own list, at the top or in the API: it leaves the config; without web-download, no warning', () => {
    for (const cr of [single({ customServiceConfig: '[DEFAULT]\nenabled_import_methods = [glance-direct]\n' }),
      single({}, { customServiceConfig: '[DEFAULT]\nenabled_import_methods = glance-direct,copy-image\n' })]) {
      const manifests = synthFromCr(cr);
      expect(glanceConf(manifests, STS).DEFAULT.enabled_import_methods).toBe('[glance-direct,copy-image]');
      const files = manifests.find((m) => m.metadata.name === `${STS}-config`)!.stringData;
      expect(Object.keys(files).filter((file) => file !== '00-glance.conf' && files[file].includes('enabled_import_methods'))).toEqual([]);
    }
    expect(noWebDownload()).toEqual([]);
  });

  test('hosts given where no API offers web-download are refused by the flag', () => {
    expectInvalid(() => synthFromCr(single({ customServiceConfig: '[DEFAULT]\nenabled_import_methods = [glance-direct]\n' }),
      withHosts(['mirror.example.com'])), '--web-download-hosts', 'no API of the CR offers web-download');
  });

  test('hosts given where only some APIs offer web-download are refused: webDownload is the deployment\'s', () => {
    const cr = glance({
      glanceAPIs: { a: { type: 'single' }, b: { type: 'single', customServiceConfig: '[DEFAULT]\nenabled_import_methods = [glance-direct]\n' } },
      keystoneEndpoint: 'a',
    });
    expectInvalid(() => synthFromCr(cr, withHosts(['mirror.example.com'])), '--web-download-hosts',
      'only some APIs of the CR offer web-download (not b)');
  });

  test('a method the library does not offer stays in the config, and is refused by the config guard at the CR\'s path', () => {
    expectInvalid(() => synthFromCr(single({ customServiceConfig: '[DEFAULT]\nenabled_import_methods = [glance-direct,glance-download]\n' })),
      'spec.customServiceConfig', /enabled_import_methods/);
  });

  test('a host the library refuses for web-download is named by its flag', () => {
    expectInvalid(() => synthFromCr(single(), withHosts(['kubernetes.default.svc'])), '--web-download-hosts', 'kubernetes.default.svc');
  });
});
