"""Starts an API process of a deployment with quotas: finds the id of Glance's internal endpoint in
Keystone, which oslo.limit needs (endpoint_id) to read the project limits, and becomes the program.

oslo.limit before 2.6 takes only the id, which exists once the registration Job has run; the lookup
by type and region of 2.6.0 and 2.6.1 (Debian trixie's, Glance 30) fails on every request ("object
of type 'generator' has no len()"). So the id is looked up here, as the service user with the
options of [oslo_limit] in the deployment's own config, retried while the Job has not registered the
endpoint yet, and given to oslo.config as OS_OSLO_LIMIT__ENDPOINT_ID. Then the rest of the command
line replaces this process: the library's usual start, which escapes the OS_* variables for
oslo.config (it reads the password here unescaped, as written), then the program.
"""
import configparser
import os
import sys
import time

from keystoneauth1 import exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

CONFIG = '/etc/glance/glance.conf.d/00-glance.conf'
WAIT_SECONDS = 300
EVERY_SECONDS = 10


def service_auth(options, url):
    """The service user as [oslo_limit] says: its password (system scope), or its application credential."""
    if options['auth_type'] == 'v3applicationcredential':
        return v3.ApplicationCredential(auth_url=url, application_credential_id=os.environ['OS_OSLO_LIMIT__APPLICATION_CREDENTIAL_ID'],
                                         application_credential_secret=os.environ['OS_OSLO_LIMIT__APPLICATION_CREDENTIAL_SECRET'])
    return v3.Password(auth_url=url, username=options['username'], password=os.environ['OS_OSLO_LIMIT__PASSWORD'],
                       user_domain_name=options['user_domain_name'], system_scope='all')


def endpoint_id(options):
    base = options['auth_url'].rstrip('/')
    base = base[:-3] if base.endswith('/v3') else base
    auth = service_auth(options, base + '/v3')
    session = ks_session.Session(auth=auth, verify=options.get('cafile') or True)
    region = options.get('region_name')
    services = session.get(base + '/v3/services?type=image').json()['services']
    # The registration Job names it glance; another image service (a second Glance) is not ours.
    services = [s for s in services if s.get('name') == 'glance'] or services
    if len(services) != 1:
        return None, '%d image services in the catalog' % len(services)
    listed = session.get(base + '/v3/endpoints?interface=internal&service_id=' + services[0]['id']).json()['endpoints']
    mine = [e for e in listed if region is None or e.get('region_id') == region]
    if len(mine) != 1:
        return None, '%d internal image endpoints%s' % (len(mine), ' in region ' + region if region else '')
    return mine[0]['id'], None


def main():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(CONFIG)
    options = dict(parser['oslo_limit'])
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            found, missing = endpoint_id(options)
        except (exceptions.ClientException, KeyError, ValueError) as error:
            found, missing = None, '%s: %s' % (type(error).__name__, error)
        if found:
            break
        if time.monotonic() > deadline:
            sys.exit('glance-limits-endpoint: no endpoint id after %d s (%s): has the registration Job run?' % (WAIT_SECONDS, missing))
        print('glance-limits-endpoint: waiting for Glance\'s internal endpoint in Keystone (%s)' % missing, file=sys.stderr, flush=True)
        time.sleep(EVERY_SECONDS)
    print('glance-limits-endpoint: oslo.limit reads the limits of endpoint %s' % found, file=sys.stderr, flush=True)
    os.environ['OS_OSLO_LIMIT__ENDPOINT_ID'] = found
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == '__main__':
    main()
