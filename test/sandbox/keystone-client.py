"""Talks to Keystone as Glance's processes do, and prints one JSON object.

Usage: python3 keystone-client.py JSON, where JSON has
  mode: "session"    keystoneauth1's Session with a v3 Password plugin (what glance's clients, the
                     import proxy and the precache job use): gets a token and the identity endpoint
                     from the catalog. verify = cafile if given, else True (requests then honours
                     REQUESTS_CA_BUNDLE).
        "middleware" keystonemiddleware's AuthProtocol (Glance's [keystone_authtoken]) with the
                     options in `authtoken` (cafile among them), in front of an app that echoes
                     the identity headers: validates `token` as a request to Glance would.
  authUrl, user, password, project (session); authtoken, token (middleware)

Used by test/sandbox/keystone.ts (keystoneClient), in this machine's root or an image's.
"""
import json
import logging
import ssl
import sys

from probe_errors import causes


def describe(error, result):
    result['error'] = '%s: %s' % (type(error).__name__, error)
    for e in causes(error):
        if isinstance(e, ssl.SSLCertVerificationError):
            result['verifyCode'] = e.verify_code
            result['verifyMessage'] = e.verify_message
    text = ' '.join(str(e) for e in causes(error))
    if 'verifyCode' not in result and 'CERTIFICATE_VERIFY_FAILED' in text:
        result['verifyMessage'] = text


def session(args, result):
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import v3
    auth = v3.Password(auth_url=args['authUrl'], username=args['user'], password=args['password'],
                       project_name=args['project'], user_domain_name='Default', project_domain_name='Default')
    sess = ks_session.Session(auth=auth, verify=args.get('cafile') or True)
    result['token'] = sess.get_token()
    result['identityEndpoint'] = sess.get_endpoint(service_type='identity', interface='internal')
    result['ok'] = True


def middleware(args, result):
    import webob
    from keystonemiddleware import auth_token

    def app(environ, start_response):
        identity = {k: environ.get(k) for k in ('HTTP_X_IDENTITY_STATUS', 'HTTP_X_USER_NAME', 'HTTP_X_PROJECT_NAME', 'HTTP_X_ROLES')}
        start_response('200 OK', [('Content-Type', 'application/json')])
        return [json.dumps(identity).encode()]

    # What the middleware logs (why it answered 503, say), as Glance's log would show it.
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    logging.getLogger('keystonemiddleware').addHandler(Keep())
    logging.getLogger('keystonemiddleware').setLevel(logging.DEBUG)
    result['log'] = records
    protocol = auth_token.AuthProtocol(app, dict(args['authtoken']))
    response = webob.Request.blank('/v2/images', headers={'X-Auth-Token': args['token']}).get_response(protocol)
    result['status'] = response.status_int
    result['body'] = response.text
    result['ok'] = response.status_int == 200


def main():
    args = json.loads(sys.argv[1])
    result = {'ok': False}
    try:
        {'session': session, 'middleware': middleware}[args['mode']](args, result)
    except Exception as error:  # noqa: BLE001 - reported, not handled
        describe(error, result)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
