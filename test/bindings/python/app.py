"""The Ceph reference sample (examples/image-cache-ceph.ts) with the Python package.

Usage: python app.py OUTDIR. Writes OUTDIR/image-cache-ceph.k8s.yaml, as `cdk8s synth` does, and
prints the versions of the packages it ran with.
"""
import sys
from importlib.metadata import version

from cdk8s import App, Chart
from cdk8s_glance import (
    DatabaseOptions,
    Glance,
    GlanceApiOptions,
    GlanceApiType,
    ImageBackend,
    ImageCacheOptions,
    KeystoneOptions,
    SecretKeySelector,
    StorageOptions,
)


def image_cache_ceph(app: App) -> Chart:
    chart = Chart(app, "image-cache-ceph", namespace="openstack")
    Glance(
        chart,
        "glance",
        database=DatabaseOptions(connection_secret=SecretKeySelector(name="glance-db", key="connection")),
        keystone=KeystoneOptions(
            auth_url="http://keystone-internal.openstack.svc:5000",
            public_auth_url="https://keystone.example.com",
            password_secret=SecretKeySelector(name="osp-secret", key="GlancePassword"),
        ),
        backend=ImageBackend.rbd(ceph_secret_name="ceph-conf-files", pool="images", user="openstack"),
        storage=StorageOptions(storage_request="10Gi"),
        image_cache=ImageCacheOptions(size="10Gi"),
        custom_service_config="[DEFAULT]\ndebug = false\n",
        apis={"default": GlanceApiOptions(type=GlanceApiType.SINGLE, replicas=3, show_image_direct_url=False)},
    )
    return chart


if __name__ == "__main__":
    app = App(outdir=sys.argv[1])
    image_cache_ceph(app)
    app.synth()
    names = ["cdk8s-glance", "cdk8s", "cdk8s-plus-28", "constructs", "jsii"]
    print("versions: " + " ".join(f"{name}={version(name)}" for name in names))
