"""Connects to a database as Glance does: oslo.db's own create_engine, with [database] connection
and connection_parameters, then asks the server about the session's TLS. Prints one JSON object.

Usage: python3 oslo-db-connect.py URL [CONNECTION_PARAMETERS]

Used by test/sandbox/mariadb.ts (connectAsOsloDb), in this machine's root or an image's.
"""
import json
import ssl
import sys

import pymysql
from oslo_db.sqlalchemy import engines
from probe_errors import causes


def main():
    url = sys.argv[1]
    parameters = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
    result = {'ok': False}
    try:
        # max_retries=0: one attempt, no 10 x 10 s of retries (oslo.db's default), the
        # test sees the first error.
        engine = engines.create_engine(url, connection_parameters=parameters, max_retries=0)
        # What the PyMySQL dialect hands to pymysql.connect: the ssl dict from ssl_* parameters.
        _, kwargs = engine.dialect.create_connect_args(engine.url)
        result['connectSsl'] = kwargs.get('ssl')
        with engine.connect() as conn:
            status = dict(conn.exec_driver_sql(
                "SHOW SESSION STATUS WHERE Variable_name IN ('Ssl_cipher', 'Ssl_version')").fetchall())
            result['user'] = conn.exec_driver_sql('SELECT CURRENT_USER()').scalar()
        result.update(ok=True, cipher=status.get('Ssl_cipher', ''), version=status.get('Ssl_version', ''))
    except Exception as error:  # noqa: BLE001 - reported, not handled
        result['error'] = '%s: %s' % (type(error).__name__, error)
        for e in causes(error):
            if isinstance(e, pymysql.err.MySQLError) and e.args and isinstance(e.args[0], int):
                result.setdefault('mysqlCode', e.args[0])
                result.setdefault('mysqlMessage', str(e.args[1]) if len(e.args) > 1 else '')
            if isinstance(e, ssl.SSLCertVerificationError):
                result['verifyCode'] = e.verify_code
                result['verifyMessage'] = e.verify_message
            elif isinstance(e, ssl.SSLError):
                result.setdefault('sslError', str(e))
    print(json.dumps(result))


if __name__ == '__main__':
    main()
