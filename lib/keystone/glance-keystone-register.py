"""Registers a Glance deployment in Keystone, as the glance-operator's KeystoneService and
KeystoneEndpoint do: the service project, the service user (its password, default project and the
roles admin and service there), the image service, and one internal and one public endpoint in the
region. Idempotent: it reads before it writes, changes only what differs, and says what it did.

Run by the registration Job with keystoneauth1 (every Glance image has it). Settings come from the
environment (the Job's pod template, so a changed URL is a new Job); the two passwords from Secrets.
Keystone is reached at KEYSTONE_AUTH_URL itself, not through the catalog.
"""
import os
import sys
from urllib.parse import quote as url_quote

from keystoneauth1 import exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

SERVICE_NAME = 'glance'
SERVICE_TYPE = 'image'
ROLES = ('admin', 'service')


def setting(name, default=None):
    value = os.environ.get(name, default)
    if value is None or value == '':
        sys.exit('glance-keystone-register: %s is not set' % name)
    return value


class Registration(object):

    def __init__(self):
        auth_url = setting('KEYSTONE_AUTH_URL').rstrip('/')
        self.base = auth_url[:-3] if auth_url.endswith('/v3') else auth_url
        self.admin = v3.Password(
            auth_url=self.base + '/v3', username=setting('ADMIN_USERNAME'), password=setting('ADMIN_PASSWORD'),
            project_name=setting('ADMIN_PROJECT_NAME'), user_domain_name=setting('ADMIN_DOMAIN_NAME'),
            project_domain_name=setting('ADMIN_DOMAIN_NAME'))
        # verify=True: requests trusts REQUESTS_CA_BUNDLE (the deployment's CA bundle) when it is set.
        self.session = ks_session.Session(auth=self.admin)
        self.changes = []

    def call(self, method, path, body=None, ok=(200,)):
        response = self.session.request(self.base + '/v3' + path, method, json=body, raise_exc=False)
        if response.status_code not in ok:
            sys.exit('glance-keystone-register: %s %s answered %d: %s' % (method, path, response.status_code, response.text[:500]))
        return response

    def get(self, path):
        return self.call('GET', path).json()

    def change(self, what):
        self.changes.append(what)
        print('changed: ' + what, flush=True)

    def unchanged(self, what):
        print('unchanged: ' + what, flush=True)

    def domain_id(self, name):
        domains = self.get('/domains?name=%s' % quote(name))['domains']
        if not domains:
            sys.exit('glance-keystone-register: Keystone has no domain "%s"' % name)
        return domains[0]['id']

    def ensure_project(self, name, domain_id):
        found = self.get('/projects?name=%s&domain_id=%s' % (quote(name), quote(domain_id)))['projects']
        if found:
            self.unchanged('project %s' % name)
            return found[0]['id']
        project = self.call('POST', '/projects', {'project': {'name': name, 'domain_id': domain_id, 'enabled': True}}, ok=(201,))
        self.change('project %s created' % name)
        return project.json()['project']['id']

    def password_works(self, user_id, password):
        auth = v3.Password(auth_url=self.base + '/v3', user_id=user_id, password=password, unscoped=True)
        try:
            ks_session.Session(auth=auth).get_token()
            return True
        except exceptions.Unauthorized:
            return False

    def ensure_user(self, name, password, domain_id, project_id):
        found = self.get('/users?name=%s&domain_id=%s' % (quote(name), quote(domain_id)))['users']
        if not found:
            user = {'name': name, 'password': password, 'domain_id': domain_id, 'default_project_id': project_id, 'enabled': True}
            created = self.call('POST', '/users', {'user': user}, ok=(201,)).json()['user']
            self.change('user %s created' % name)
            return created['id']
        user = found[0]
        update = {}
        if not user.get('enabled', True):
            update['enabled'] = True
        if user.get('default_project_id') != project_id:
            update['default_project_id'] = project_id
        if update:
            self.call('PATCH', '/users/%s' % user['id'], {'user': update})
            self.change('user %s: %s' % (name, ', '.join(sorted(update))))
        # The Secret's password is the one Glance uses: set it when Keystone has another.
        if self.password_works(user['id'], password):
            self.unchanged('user %s' % name)
        else:
            self.call('PATCH', '/users/%s' % user['id'], {'user': {'password': password}})
            self.change('user %s: password' % name)
        return user['id']

    def role_id(self, role):
        roles = self.get('/roles?name=%s' % quote(role))['roles']
        if roles:
            return roles[0]['id']
        created = self.call('POST', '/roles', {'role': {'name': role}}, ok=(201,)).json()['role']['id']
        self.change('role %s created' % role)
        return created

    def ensure_grant(self, grant, what):
        if self.call('HEAD', grant, ok=(204, 404)).status_code == 204:
            self.unchanged(what)
        else:
            self.call('PUT', grant, ok=(204,))
            self.change(what + ' granted')

    def ensure_role(self, role, user_id, project_id, user_name, project_name):
        grant = '/projects/%s/users/%s/roles/%s' % (project_id, user_id, self.role_id(role))
        self.ensure_grant(grant, 'role %s of %s on %s' % (role, user_name, project_name))

    def ensure_registered_limit(self, service_id, region, name, value):
        listed = self.get('/registered_limits?service_id=%s&resource_name=%s' % (quote(service_id), quote(name)))['registered_limits']
        found = [limit for limit in listed if limit.get('region_id') == region]
        if not found:
            limit = {'service_id': service_id, 'resource_name': name, 'default_limit': value,
                     'description': 'Glance: %s of every project, unless its own limit says otherwise' % name}
            if region is not None:
                limit['region_id'] = region
            self.call('POST', '/registered_limits', {'registered_limits': [limit]}, ok=(201,))
            self.change('registered limit %s = %d created' % (name, value))
        elif found[0]['default_limit'] != value:
            self.call('PATCH', '/registered_limits/%s' % found[0]['id'], {'registered_limit': {'default_limit': value}})
            self.change('registered limit %s = %d (was %d)' % (name, value, found[0]['default_limit']))
        else:
            self.unchanged('registered limit %s = %d' % (name, value))

    def check_identity_region(self, region):
        # keystonemiddleware (keystone_authtoken region_name) looks Keystone's internal endpoint up
        # in the region: without one there, every request Glance authenticates fails with 500.
        identity = [s['id'] for s in self.get('/services?type=identity')['services']]
        regions = sorted({e.get('region_id') or '(none)' for service_id in identity
                          for e in self.get('/endpoints?interface=internal&service_id=%s' % quote(service_id))['endpoints']})
        if region not in regions:
            sys.exit('glance-keystone-register: Keystone has no internal identity endpoint in region %s (it has one in: %s): '
                     'Glance looks Keystone up there to check every token, and would fail every request. Set keystone.region '
                     "to Keystone's region, or register Keystone's endpoints in %s first." % (region, ', '.join(regions) or 'none', region))

    def ensure_region(self, region):
        if self.call('GET', '/regions/%s' % quote(region), ok=(200, 404)).status_code == 200:
            self.unchanged('region %s' % region)
            return
        self.call('POST', '/regions', {'region': {'id': region}}, ok=(201,))
        self.change('region %s created' % region)

    def ensure_service(self):
        services = [s for s in self.get('/services?type=%s' % SERVICE_TYPE)['services'] if s.get('name') == SERVICE_NAME]
        if services:
            service = services[0]
            if not service.get('enabled', True):
                self.call('PATCH', '/services/%s' % service['id'], {'service': {'enabled': True}})
                self.change('service %s enabled' % SERVICE_NAME)
            else:
                self.unchanged('service %s (%s)' % (SERVICE_NAME, SERVICE_TYPE))
            return service['id']
        body = {'service': {'name': SERVICE_NAME, 'type': SERVICE_TYPE, 'description': 'Glance Image Service', 'enabled': True}}
        service = self.call('POST', '/services', body, ok=(201,)).json()['service']
        self.change('service %s (%s) created' % (SERVICE_NAME, SERVICE_TYPE))
        return service['id']

    def ensure_endpoint(self, service_id, interface, url, region):
        listed = self.get('/endpoints?service_id=%s&interface=%s' % (quote(service_id), interface))['endpoints']
        # One endpoint per interface and region: the first is kept (and updated), any other of ours removed.
        mine = [e for e in listed if e.get('region_id') == region]
        if not mine:
            body = {'endpoint': {'service_id': service_id, 'interface': interface, 'url': url, 'enabled': True}}
            if region is not None:
                body['endpoint']['region_id'] = region
            self.call('POST', '/endpoints', body, ok=(201,))
            self.change('%s endpoint %s created' % (interface, url))
            return
        endpoint, duplicates = mine[0], mine[1:]
        update = {}
        if endpoint['url'] != url:
            update['url'] = url
        if not endpoint.get('enabled', True):
            update['enabled'] = True
        if update:
            self.call('PATCH', '/endpoints/%s' % endpoint['id'], {'endpoint': update})
            self.change('%s endpoint %s (was %s)' % (interface, url, endpoint['url']))
        else:
            self.unchanged('%s endpoint %s' % (interface, url))
        for duplicate in duplicates:
            self.call('DELETE', '/endpoints/%s' % duplicate['id'], ok=(204,))
            self.change('%s endpoint %s removed (a second one in the region)' % (interface, duplicate['url']))

    def run(self):
        region = os.environ.get('REGION') or None
        if region is not None:
            self.check_identity_region(region)
        user_name = setting('SERVICE_USERNAME')
        project_name = setting('SERVICE_PROJECT_NAME')
        domain_id = self.domain_id(setting('SERVICE_DOMAIN_NAME'))
        project_id = self.ensure_project(project_name, domain_id)
        user_id = self.ensure_user(user_name, setting('SERVICE_PASSWORD'), domain_id, project_id)
        for role in ROLES:
            self.ensure_role(role, user_id, project_id, user_name, project_name)
        if region is not None:
            self.ensure_region(region)
        service_id = self.ensure_service()
        self.ensure_endpoint(service_id, 'internal', setting('INTERNAL_URL'), region)
        self.ensure_endpoint(service_id, 'public', setting('PUBLIC_URL'), region)
        # quotas: Glance reads the limits with a system-scoped token, which needs a system role.
        limits = os.environ.get('REGISTERED_LIMITS') or ''
        if limits:
            grant = '/system/users/%s/roles/%s' % (user_id, self.role_id('reader'))
            self.ensure_grant(grant, 'system role reader of %s' % user_name)
            for item in limits.split(','):
                name, value = item.split('=')
                self.ensure_registered_limit(service_id, region, name, int(value))
        print('glance-keystone-register: %d change(s)' % len(self.changes), flush=True)


def quote(text):
    return url_quote(text, safe='')


if __name__ == '__main__':
    try:
        Registration().run()
    except exceptions.ClientException as error:
        sys.exit('glance-keystone-register: %s: %s' % (type(error).__name__, error))
