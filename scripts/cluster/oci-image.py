#!/usr/bin/env python3
"""Packs a root filesystem as a one-layer OCI image-layout tar that `ctr images import` accepts.

Usage: oci-image.py --root DIR --name REF --out FILE [--gzip] [--cmd ARG ...] [--env K=V ...]
                    [--workdir DIR] [--user U] [--exclude PATTERN ...]

- The layer is GNU tar's archive of DIR (numeric owners, modes, symlinks, hard links, sorted
  names; the contents of dev/, proc/ and sys/ and any --exclude left out), uncompressed unless
  --gzip (then compressed with pigz or gzip at level 1). File times are kept as they are:
  Debian's .pyc files record their source's mtime, and a clamped time would make every
  Python import recompile.
- The config blob has architecture amd64, os linux, rootfs.diff_ids, and Cmd, Env, WorkingDir;
  User only with --user (the Glance images have none: the pods set runAsUser).
- index.json names the manifest with both annotations containerd's importer reads:
  io.containerd.image.name (the full reference, which ctr import takes as it is) and
  org.opencontainers.image.ref.name (the tag, as the OCI spec has it).
- FILE is written as FILE.tmp next to it and renamed at the end. The last line of stdout is the
  manifest's digest; the layer is staged in a temporary folder next to FILE.
"""
import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

CHUNK = 4 << 20


def digest_of(data: bytes) -> str:
    return 'sha256:' + hashlib.sha256(data).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument('--root', required=True)
    parser.add_argument('--name', required=True, help='full image reference, e.g. localhost/x/y:tag')
    parser.add_argument('--out', required=True)
    parser.add_argument('--gzip', action='store_true')
    parser.add_argument('--cmd', nargs='+', default=['/bin/bash'])
    parser.add_argument('--env', action='append', default=[])
    parser.add_argument('--workdir', default='/')
    parser.add_argument('--user', help='the user the image runs as when the pod does not say (the pause image: 65535)')
    parser.add_argument('--exclude', action='append', default=[])
    args = parser.parse_args()

    root = os.path.abspath(args.root)
    out = os.path.abspath(args.out)
    tag = args.name.rsplit(':', 1)[1] if ':' in args.name.rsplit('/', 1)[-1] else 'latest'
    env = args.env or ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8']

    stage = tempfile.mkdtemp(prefix=os.path.basename(out) + '.stage.', dir=os.path.dirname(out))
    try:
        # The layer: tar's stream hashed on the fly (diff_id), then, if asked, compressed (digest).
        layer_path = os.path.join(stage, 'layer')
        excludes = ['./dev/*', './proc/*', './sys/*'] + args.exclude
        tar_cmd = ['tar', '--create', '--file=-', '--directory', root, '--numeric-owner', '--sort=name',
                   '--format=gnu', '--one-file-system', '--no-wildcards-match-slash']
        tar_cmd += ['--exclude=' + pattern for pattern in excludes] + ['.']
        tar = subprocess.Popen(tar_cmd, stdout=subprocess.PIPE)
        diff = hashlib.sha256()
        with open(layer_path, 'wb') as layer_file:
            compressor = None
            sink = layer_file
            if args.gzip:
                gz = shutil.which('pigz') or shutil.which('gzip')
                compressor = subprocess.Popen([gz, '-1', '-n', '-c'], stdin=subprocess.PIPE, stdout=layer_file)
                sink = compressor.stdin
            while True:
                chunk = tar.stdout.read(CHUNK)
                if not chunk:
                    break
                diff.update(chunk)
                sink.write(chunk)
            if compressor:
                compressor.stdin.close()
                if compressor.wait() != 0:
                    raise SystemExit('oci-image: compressor failed')
        if tar.wait() != 0:
            raise SystemExit(f'oci-image: tar exited {tar.returncode}')
        diff_id = 'sha256:' + diff.hexdigest()
        if args.gzip:
            digest = hashlib.sha256()
            with open(layer_path, 'rb') as layer_file:
                for chunk in iter(lambda: layer_file.read(CHUNK), b''):
                    digest.update(chunk)
            layer_digest = 'sha256:' + digest.hexdigest()
            layer_type = 'application/vnd.oci.image.layer.v1.tar+gzip'
        else:
            layer_digest = diff_id
            layer_type = 'application/vnd.oci.image.layer.v1.tar'
        layer_size = os.path.getsize(layer_path)

        config = json.dumps({
            'architecture': 'amd64',
            'os': 'linux',
            'config': {'Env': env, 'Cmd': args.cmd, 'WorkingDir': args.workdir, **({'User': args.user} if args.user else {})},
            'rootfs': {'type': 'layers', 'diff_ids': [diff_id]},
            'history': [{'created_by': 'scripts/cluster/images.sh: ' + args.name}],
        }, sort_keys=True, separators=(',', ':')).encode()
        manifest = json.dumps({
            'schemaVersion': 2,
            'mediaType': 'application/vnd.oci.image.manifest.v1+json',
            'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': digest_of(config), 'size': len(config)},
            'layers': [{'mediaType': layer_type, 'digest': layer_digest, 'size': layer_size}],
        }, sort_keys=True, separators=(',', ':')).encode()
        manifest_digest = digest_of(manifest)
        index = json.dumps({
            'schemaVersion': 2,
            'mediaType': 'application/vnd.oci.image.index.v1+json',
            'manifests': [{
                'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                'digest': manifest_digest,
                'size': len(manifest),
                'platform': {'architecture': 'amd64', 'os': 'linux'},
                'annotations': {'io.containerd.image.name': args.name, 'org.opencontainers.image.ref.name': tag},
            }],
        }, sort_keys=True, separators=(',', ':')).encode()
        layout = b'{"imageLayoutVersion":"1.0.0"}'

        tmp_out = out + '.tmp'

        def member(name: str, size: int, mode: int = 0o644, kind: bytes = tarfile.REGTYPE) -> tarfile.TarInfo:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.type, info.mtime = size, mode, kind, 0
            return info

        with open(tmp_out, 'wb') as raw, tarfile.open(fileobj=raw, mode='w', format=tarfile.GNU_FORMAT) as image:
            for directory in ('blobs', 'blobs/sha256'):
                image.addfile(member(directory, 0, 0o755, tarfile.DIRTYPE))
            image.addfile(member('oci-layout', len(layout)), io.BytesIO(layout))
            image.addfile(member('blobs/sha256/' + digest_of(config)[7:], len(config)), io.BytesIO(config))
            image.addfile(member('blobs/sha256/' + manifest_digest[7:], len(manifest)), io.BytesIO(manifest))
            with open(layer_path, 'rb') as layer_file:
                image.addfile(member('blobs/sha256/' + layer_digest[7:], layer_size), layer_file)
            image.addfile(member('index.json', len(index)), io.BytesIO(index))
        os.replace(tmp_out, out)
        print(f'oci-image: {args.name}: layer {layer_digest} ({layer_size} bytes, diff_id {diff_id})', file=sys.stderr)
        print(manifest_digest)
        return 0
    finally:
        shutil.rmtree(stage, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
