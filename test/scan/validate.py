"""Strict schema validation of synthesized manifests (scripts/scan.sh).

Validates every object of every file against the Kubernetes JSON schemas that kubernetes-validate
ships, in strict mode: an unknown field anywhere is an error, as is a wrong type or a missing
required field. Unlike the kubernetes-validate command, an object whose kind has no schema fails
(the command only warns), and before anything else the validator must reject two broken copies of
a real StatefulSet (an unknown field deep in the pod spec, and a string for spec.replicas), so a
validator that stopped checking cannot pass the scan.

The files are read with PyYAML, a YAML 1.1 reader like the one kubectl uses: a scalar that YAML
1.1 reads as a boolean or a number where the schema wants a string fails here.

Usage: validate.py KUBERNETES_VERSION EXAMPLES_DIR FUZZ_DIR
Prints the errors, then one summary line; exits 1 on any error.
"""
import copy
import functools
import glob
import os
import sys

import kubernetes_validate
import kubernetes_validate.utils as kv_utils
import yaml

# kubernetes-validate re-reads the 1 MB definitions file for every object: read each file once.
kv_utils.schema_contents = functools.lru_cache(maxsize=None)(kv_utils.schema_contents)


def objects(path):
    with open(path) as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


def check(obj, version):
    """None when valid, else the error."""
    try:
        used = kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.ValidationError as e:
        where = '.'.join(str(p) for p in e.path) or '(top level)'
        return f'{where}: {e.message}'
    except kv_utils.SchemaNotFoundError as e:
        return e.message
    wanted = kv_utils.major_minor(version)
    if used != wanted:
        return f'validated against the {used} schemas, not {wanted}'
    return None


def self_test(sample, version):
    """The validator must reject an unknown field and a wrong type, or it proves nothing."""
    broken_field = copy.deepcopy(sample)
    broken_field['spec']['template']['spec']['containers'][0]['securityContext']['privilegd'] = True
    broken_type = copy.deepcopy(sample)
    broken_type['spec']['replicas'] = 'three'
    problems = []
    if check(sample, version) is not None:
        problems.append(f'the sample StatefulSet itself is invalid: {check(sample, version)}')
    if check(broken_field, version) is None:
        problems.append('an unknown field (securityContext.privilegd) was accepted: strict mode is not on')
    if check(broken_type, version) is None:
        problems.append('spec.replicas: "three" was accepted: types are not checked')
    return problems


def main():
    version, examples_dir, fuzz_dir = sys.argv[1:4]
    examples = sorted(glob.glob(os.path.join(examples_dir, '*.yaml')))
    fuzz = sorted(glob.glob(os.path.join(fuzz_dir, '*.yaml')))
    if not examples:
        sys.exit(f'strict schemas: no YAML in {examples_dir}')

    sample = next((o for o in objects(examples[0]) if o.get('kind') == 'StatefulSet'), None)
    if sample is None:
        sys.exit(f'strict schemas: no StatefulSet in {examples[0]} to test the validator with')
    problems = self_test(sample, version)
    for p in problems:
        print(f'strict schemas: validator self-test failed: {p}')

    counts = {}
    errors = 0
    for path in examples + fuzz:
        docs = objects(path)
        counts[path] = len(docs)
        for obj in docs:
            error = check(obj, version)
            if error:
                errors += 1
                name = (obj.get('metadata') or {}).get('name')
                print(f'ERROR {os.path.basename(path)}: {obj.get("kind")}/{name}: {error}')

    n_examples = sum(counts[p] for p in examples)
    n_fuzz = sum(counts[p] for p in fuzz)
    what = f'{n_examples} objects in {len(examples)} examples + {n_fuzz} objects in {len(fuzz)} fuzz outputs'
    how = f'(kubernetes {kv_utils.major_minor(version)}, unknown fields rejected)'
    if errors or problems:
        print(f'strict schemas: FAILED: {errors} invalid of {what} {how}' + (', validator self-test failed' if problems else ''))
        sys.exit(1)
    print(f'strict schemas: {what} valid {how}')


if __name__ == '__main__':
    main()
