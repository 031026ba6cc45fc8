"""Maintains one replica's image cache. The pruner and cleaner CronJobs of cdk8s-glance run it:

  prune                 remove the least recently used images until the cache is under
                        image_cache_max_size
  clean [--keep-orphans]
                        remove invalid and stalled files (as glance-cache-cleaner), then the
                        images Glance no longer has (orphans)
  precache --image ID_OR_NAME... [--url URL...] [--wait] [--wait-cached SECONDS]
                        queue each listed image that the replica (its worker_self_reference_url,
                        or each --url) has not cached, through the replica's cache API, as the
                        Glance service user of [keystone_authtoken]; an image that cannot be
                        cached as it is (missing, not active, not visible) is skipped and
                        reported, every image and every replica is tried, and the job fails only
                        when nothing could be done; --wait-cached then waits until every replica
                        lists the images as cached, and fails if they are not in time

Both take the API's own configuration (--config-dir) and work through Glance's ImageCache, so
they use the API's driver. Deleting an image purges only the cache of the replica that served
the delete; every other replica drops it when its cleaner removes orphans.

With the centralized_db driver (2024.1 on), a replica's cache records live in Glance's database
under the replica's worker_self_reference_url, which the job sets exactly as its API does:
- a job whose URL is unset or unknown to the database fails at once instead of seeing nothing;
- files the records miss are adopted before anything else: from the sqlite driver's cache.db
  where it has them (a release bump from the sqlite driver; Glance migrates it only with a paste
  flavor containing "cache", and "keystone+caching" does not), from the file otherwise; records
  whose file is gone are dropped. The cache lists, prunes and cleans what is really on disk;
- pruning fails as soon as it cannot free anything, where glance-cache-pruner loops for ever.
"""
import argparse
import datetime
import os
import re
import sys
import time

from oslo_config import cfg
from oslo_log import log as logging

from glance.common import config
from glance.common import exception
from glance import context
import glance.db
from glance import image_cache

PROG = 'glance-cache-jobs'
LOG = logging.getLogger(PROG)
CONF = cfg.CONF
GONE_STATUSES = ('deleted', 'pending_delete', 'killed')


class Failure(Exception):
    """A condition the job cannot fix; it ends the job with its message."""


def utc(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc).replace(tzinfo=None)


class CentralRecords:
    """This replica's records in the centralized_db driver's tables."""

    def __init__(self, db_api):
        self.db_api = db_api
        self.ctx = context.get_admin_context()
        self.url = CONF.worker_self_reference_url
        self.driver = None
        if not self.url:
            raise Failure('worker_self_reference_url is not set, so the centralized_db driver cannot tell which cache '
                          'records are this replica\'s. Set OS_DEFAULT__WORKER_SELF_REFERENCE_URL as the API does.')
        # Checked before the driver starts: starting it records its URL as a new node.
        try:
            self.db_api.node_reference_get_by_url(self.ctx, self.url)
        except exception.NotFound:
            raise Failure('the cache database does not know %s: no glance-api has started with this '
                          'worker_self_reference_url. The job must name its replica exactly as the replica\'s API '
                          'does, and that API must have started once.' % self.url)

    def reconcile(self, cache):
        """Makes the records match the files: old sqlite rows and untracked files in, stale records out."""
        self.driver = cache.driver
        migrated = 0
        from glance import sqlite_migration
        sqlite_db = sqlite_migration.get_db_path()
        if sqlite_db:
            before = len(self.records())
            sqlite_migration.Migrate(sqlite_db, self.db_api).migrate()
            migrated = len(self.records()) - before
        records = self.records()
        files = {os.path.basename(path): path for path in self.driver.get_cache_files(self.driver.base_dir)}
        adopted = sorted(set(files) - set(records))
        for image_id in adopted:
            stat = os.stat(files[image_id])
            try:
                self.db_api.insert_cache_details(self.ctx, self.url, image_id, stat.st_size,
                                                 last_accessed=utc(max(stat.st_atime, stat.st_mtime)).isoformat(),
                                                 last_modified=utc(stat.st_mtime).isoformat())
            except exception.Duplicate:
                pass  # the API recorded it meanwhile
        dropped = sorted(image_id for image_id in set(records) - set(files)
                         if not os.path.exists(self.driver.get_image_filepath(image_id)))
        for image_id in dropped:
            self.db_api.delete_cached_image(self.ctx, image_id, self.url)
        if migrated or adopted or dropped:
            print('%s: %s: took %d record(s) from cache.db, adopted %d untracked file(s), dropped %d record(s) '
                  'without a file' % (PROG, self.url, migrated, len(adopted), len(dropped)))

    def records(self):
        return {record['image_id']: record for record in self.db_api.get_cached_images(self.ctx, self.url)}


def prune(cache):
    """glance-cache-pruner's loop, ending with an error where it would spin."""
    driver = cache.driver
    max_size = CONF.image_cache_max_size
    size = driver.get_cache_size()
    start = size
    pruned = []
    freed = 0
    while size > max_size:
        entry = driver.get_least_recently_accessed()
        image_id, entry_size = entry if entry else (None, 0)
        if image_id is None or image_id in pruned:
            raise Failure('the cache is %d bytes over image_cache_max_size (%d) after pruning %d image(s), and the driver '
                          'has no further image to prune: its files are not in its records' % (size - max_size, max_size, len(pruned)))
        LOG.info('Pruning %s to free %d bytes', image_id, entry_size)
        driver.delete_cached_image(image_id)
        pruned.append(image_id)
        freed += entry_size
        size -= entry_size
    print('%s prune: %d of %d bytes in use: pruned %d image(s), %d bytes: %s'
          % (PROG, start, max_size, len(pruned), freed, ' '.join(pruned) or '-'))


def is_gone(db_api, ctx, image_id):
    try:
        image = db_api.image_get(ctx, image_id)
    except exception.ImageNotFound:
        return True
    return bool(image['deleted']) or image['status'] in GONE_STATUSES


def remove_orphans(cache, db_api):
    ctx = context.get_admin_context(show_deleted=True)
    cached = {entry['image_id'] for entry in cache.get_cached_images()}
    queued = set(cache.get_queued_images())
    removed = []
    for image_id in sorted(cached | queued):
        if not is_gone(db_api, ctx, image_id):
            continue
        if image_id in cached:
            cache.delete_cached_image(image_id)
        if image_id in queued:
            cache.delete_queued_image(image_id)
        removed.append(image_id)
        LOG.info('Removed orphaned image %s from the cache', image_id)
    print('%s clean: removed %d orphan(s) of %d cached and %d queued image(s): %s'
          % (PROG, len(removed), len(cached), len(queued), ' '.join(removed) or '-'))


UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', re.I)


def service_session():
    """A Keystone session as the Glance service user: the API's own keystone_authtoken settings."""
    from keystoneauth1 import loading as ks_loading
    ks_loading.register_auth_conf_options(CONF, 'keystone_authtoken')
    ks_loading.register_session_conf_options(CONF, 'keystone_authtoken')
    auth = ks_loading.load_auth_from_conf_options(CONF, 'keystone_authtoken')
    if auth is None:
        raise Failure('[keystone_authtoken] names no auth_type, so precache cannot authenticate')
    return ks_loading.load_session_from_conf_options(CONF, 'keystone_authtoken', auth=auth)


def wait_ready(session, url, seconds):
    """Until the replica answers: its healthcheck, then an image list that is not a server error.

    A first deployment applies the API and the db-sync Job at once: the API is healthy before its
    database has tables, and answers 500 until db-sync has run.
    """
    deadline = time.time() + seconds
    while True:
        try:
            if session.get(url + '/healthcheck', authenticated=False, raise_exc=False).status_code == 200:
                status = session.get(url + '/v2/images', params={'limit': 1}, raise_exc=False).status_code
                if status < 500:
                    return
                LOG.info('Waiting for %s: listing images answers HTTP %d (is db-sync still running?)', url, status)
        except Exception as e:  # noqa: B902 -- a replica that is not up yet refuses connections
            LOG.info('Waiting for %s: %s', url, e)
        if time.time() > deadline:
            raise Failure('%s did not answer in %d s' % (url, seconds))
        time.sleep(5)


class Skip(Exception):
    """An image that cannot be cached as it is (missing, not active, not visible): reported, not fatal."""


def image_of(session, url, entry):
    """The image an entry (an ID or a name) names, active; Skip says why not."""
    if UUID.match(entry):
        response = session.get('%s/v2/images/%s' % (url, entry), raise_exc=False)
        if response.status_code in (403, 404):
            raise Skip('not found' if response.status_code == 404 else 'not visible to the service user (HTTP 403)')
        check(response, 'show image %s' % entry)
        image = response.json()
    else:
        response = session.get('%s/v2/images' % url, params={'name': entry}, raise_exc=False)
        check(response, 'list images named %r' % entry)
        found = response.json().get('images', [])
        if len(found) != 1:
            raise Skip('not found' if not found else '%d images have this name: list one by its ID' % len(found))
        image = found[0]
    if image.get('status') != 'active':
        raise Skip('%s: status %s, and Glance caches active images only' % (image['id'], image.get('status')))
    return image['id']


def check(response, what):
    if response.status_code in (401, 403):
        raise Failure('the Glance service user may not %s (HTTP %d): check [keystone_authtoken] and the cache policy'
                      % (what, response.status_code))
    if response.status_code >= 400:
        raise Failure('%s failed with HTTP %d: %s' % (what, response.status_code, response.text[:200]))


def cache_state(session, url):
    response = session.get('%s/v2/cache' % url, raise_exc=False)
    check(response, 'list the cache of %s' % url)
    state = response.json()
    return {image['image_id'] for image in state.get('cached_images', [])}, set(state.get('queued_images', []))


def precache_replica(session, url, wanted, wait):
    """Queues on one replica what it lacks: (queued, already there, skipped {entry: why}, failed {entry: why})."""
    if wait:
        wait_ready(session, url, 900)
    cached, queued_before = cache_state(session, url)
    queued, present, skipped, failed = [], [], {}, {}
    for entry in wanted:
        try:
            image_id = image_of(session, url, entry)
        except Skip as skip:
            skipped[entry] = str(skip)
            continue
        if image_id in cached or image_id in queued_before or image_id in queued:
            present.append(image_id)
            continue
        response = session.put('%s/v2/cache/%s' % (url, image_id), raise_exc=False)
        if response.status_code < 300:
            queued.append(image_id)
            continue
        # 400-409: what changed since it was looked up (deactivated, deleted), or what the policy keeps from the user.
        outcome = skipped if response.status_code in (400, 403, 404, 409) else failed
        outcome[entry] = '%s: queueing answered HTTP %d: %s' % (image_id, response.status_code, response.text.strip()[:200])
    return queued, present, skipped, failed


def wait_cached(session, targets, seconds):
    """Until every replica lists its images as cached, at most `seconds`: the replicas still missing some, and the wait.

    An image neither cached nor queued on two looks in a row (a replica moves it from its queue to
    its cache records in two steps) was dropped: the replica gave up on it, its log says why (the
    store, the disk). When every image still missing is dropped, waiting longer would not help.
    """
    deadline = time.time() + seconds
    start = time.time()
    dropped_before = set()
    while True:
        missing, lacking_now, dropped_now = {}, set(), set()
        for url, image_ids in targets.items():
            try:
                cached, queued = cache_state(session, url)
            except Exception as e:  # noqa: B902 -- a replica restarting answers later
                missing[url] = 'unreachable (%s)' % e
                lacking_now.add((url, None))
                continue
            lacking = sorted(set(image_ids) - cached)
            dropped = [image_id for image_id in lacking if image_id not in queued]
            lacking_now.update((url, image_id) for image_id in lacking)
            dropped_now.update((url, image_id) for image_id in dropped)
            if lacking:
                missing[url] = 'not cached: %s%s' % (' '.join(lacking), ' (dropped from the queue: %s)' % ' '.join(dropped) if dropped else '')
        if not missing:
            return {}, time.time() - start
        if time.time() >= deadline or (lacking_now == dropped_now and dropped_now <= dropped_before):
            return missing, time.time() - start
        dropped_before = dropped_now
        time.sleep(5)


def precache(urls, wanted, wait, warm_seconds):
    """Every listed image on every replica; 1 only when nothing could be done, or when the cache is not warm in time."""
    session = service_session()
    totals = {'queued': 0, 'present': 0, 'skipped': 0, 'failed': 0}
    replicas_failed = 0
    targets = {}
    for url in urls:
        try:
            queued, present, skipped, failed = precache_replica(session, url, wanted, wait)
        except Failure as failure:
            replicas_failed += 1
            print('%s precache: %s: failed: %s' % (PROG, url, failure))
            continue
        except Exception as e:  # noqa: B902 -- one unreachable replica must not keep the others cold
            replicas_failed += 1
            print('%s precache: %s: failed: %s: %s' % (PROG, url, type(e).__name__, e))
            continue
        targets[url] = queued + present
        for key, value in (('queued', queued), ('present', present), ('skipped', skipped), ('failed', failed)):
            totals[key] += len(value)
        print('%s precache: %s: queued %d%s, already cached or queued %d, skipped %d%s, failed %d%s'
              % (PROG, url, len(queued), (' (%s)' % ' '.join(queued)) if queued else '', len(present), len(skipped),
                 (': ' + ', '.join('%s (%s)' % item for item in skipped.items())) if skipped else '', len(failed),
                 (': ' + ', '.join('%s (%s)' % item for item in failed.items())) if failed else ''))
    print('%s precache: %d replica(s), %d failed: queued %d, already cached or queued %d, skipped %d, failed %d'
          % (PROG, len(urls), replicas_failed, totals['queued'], totals['present'], totals['skipped'], totals['failed']))
    if replicas_failed == len(urls) or (totals['failed'] and not totals['queued'] + totals['present']):
        raise Failure('nothing could be done: every replica or every queue request failed (above)')
    if warm_seconds:
        warming = {url: ids for url, ids in targets.items() if ids}
        missing, waited = wait_cached(session, warming, warm_seconds)
        if missing:
            raise Failure('not warm after %d s: %s' % (waited, '; '.join('%s: %s' % item for item in sorted(missing.items()))))
        print('%s precache: warm: %d image(s) cached on %d replica(s) after %d s'
              % (PROG, len({image_id for ids in warming.values() for image_id in ids}), len(warming), waited))


def main():
    parser = argparse.ArgumentParser(prog=PROG, description='Maintains one replica\'s Glance image cache.')
    parser.add_argument('action', choices=['prune', 'clean', 'precache'])
    parser.add_argument('--keep-orphans', action='store_true', help='clean: keep images that Glance no longer has')
    parser.add_argument('--image', action='append', default=[], help='precache: an image ID or name (repeat)')
    parser.add_argument('--url', action='append', default=[], help='precache: a replica URL (repeat; default: worker_self_reference_url)')
    parser.add_argument('--wait', action='store_true', help='precache: wait up to 15 minutes for each replica to answer')
    parser.add_argument('--wait-cached', type=int, default=0, metavar='SECONDS',
                        help='precache: then wait up to SECONDS until every replica lists every image as cached')
    args, oslo_args = parser.parse_known_args()
    logging.register_options(CONF)
    CONF.set_default(name='use_stderr', default=True)
    config.parse_cache_args(oslo_args)
    logging.setup(CONF, 'glance')
    try:
        if args.action == 'precache':
            urls = args.url or [CONF.worker_self_reference_url]
            if not all(urls) or not args.image:
                raise Failure('precache needs --image and a replica URL (--url or worker_self_reference_url)')
            precache(urls, args.image, args.wait, args.wait_cached)
            return 0
        centralized = CONF.image_cache_driver == 'centralized_db'
        db_api = glance.db.get_api() if centralized or (args.action == 'clean' and not args.keep_orphans) else None
        records = CentralRecords(db_api) if centralized else None
        cache = image_cache.ImageCache()
        if records:
            records.reconcile(cache)
        if args.action == 'prune':
            prune(cache)
        else:
            cache.clean()
            if not args.keep_orphans:
                remove_orphans(cache, db_api)
    except Failure as failure:
        print('%s %s: error: %s' % (PROG, args.action, failure), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
