"""Remove images from this replica's cache when Glance no longer has them.

Deleting an image purges it only from the cache of the replica that served the delete. Every
other replica keeps a file that is never served again, and that neither glance-cache-pruner nor
glance-cache-cleaner removes. The cleaner CronJob runs this after glance-cache-cleaner, with
the same --config-dir as the API, so every replica drops such orphans on the cleaner's schedule.

It reads the cache through Glance's own ImageCache (any driver) and asks Glance's database
whether each image still exists.
"""
import sys

from oslo_log import log as logging

from glance.common import config
from glance.common import exception
from glance import context
import glance.db
from glance import image_cache

LOG = logging.getLogger('glance-cache-orphans')
GONE_STATUSES = ('deleted', 'pending_delete', 'killed')


def is_gone(db_api, ctx, image_id):
    try:
        image = db_api.image_get(ctx, image_id)
    except exception.ImageNotFound:
        return True
    return bool(image['deleted']) or image['status'] in GONE_STATUSES


def main():
    logging.register_options(config.CONF)
    config.parse_cache_args()
    logging.setup(config.CONF, 'glance')
    cache = image_cache.ImageCache()
    db_api = glance.db.get_api()
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
    print('glance-cache-orphans: removed %d of %d cached and %d queued image(s): %s'
          % (len(removed), len(cached), len(queued), ' '.join(removed) or '-'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
