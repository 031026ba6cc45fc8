"""Reads checkov's JSON report of the examples and applies test/scan/checkov-skips.yaml (scripts/scan.sh).

A failed check that a skip matches counts as skipped; every other failure is printed and fails
the scan. A skip that matches no failure fails it too, so the skips file never outlives what it
excuses. A report that checkov could not finish (no report, parsing errors, no resources) fails.

Usage: checkov_report.py SKIPS_FILE CHECKOV_JSON
Prints the failures, then one summary line; exits 1 on any failure.
"""
import json
import os
import re
import sys
from collections import defaultdict

import yaml


def load_skips(path):
    with open(path) as f:
        entries = (yaml.safe_load(f) or {}).get('skips') or []
    skips = []
    for i, entry in enumerate(entries):
        check, reason = entry.get('check'), entry.get('reason')
        if not check or not isinstance(reason, str) or not reason.strip():
            sys.exit(f'checkov: {path}: skip #{i + 1} needs a check and a reason')
        unknown = set(entry) - {'check', 'objects', 'reason'}
        if unknown:
            sys.exit(f'checkov: {path}: skip {check}: unknown field(s) {sorted(unknown)}')
        patterns = [re.compile(p) for p in entry.get('objects') or ['.*']]
        skips.append({'check': check, 'patterns': patterns, 'used': 0})
    return skips


def object_of(resource):
    """'CronJob.openstack.glance-x-0-pruner' or 'Pod.openstack.glance-db-sync.<labels>' -> 'CronJob/glance-x-0-pruner'."""
    parts = resource.split('.')
    # Namespaced: Kind.namespace.name[.labels...]; our names are DNS labels, without dots.
    return f'{parts[0]}/{parts[2]}' if len(parts) >= 3 else f'{parts[0]}/{parts[-1]}'


def main():
    skips_path, report_path = sys.argv[1:3]
    skips = load_skips(skips_path)
    try:
        with open(report_path) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f'checkov: FAILED: no readable report ({e})')
    reports = report if isinstance(report, list) else [report]
    k8s = [r for r in reports if r.get('check_type') == 'kubernetes']
    if len(k8s) != 1:
        sys.exit(f'checkov: FAILED: expected one kubernetes report, got {[r.get("check_type") for r in reports]}')
    summary, results = k8s[0]['summary'], k8s[0]['results']
    if summary.get('parsing_errors') or not summary.get('resource_count'):
        sys.exit(f'checkov: FAILED: {summary.get("parsing_errors")} parsing errors, {summary.get("resource_count")} resources scanned')

    failed = defaultdict(list)
    skipped = 0
    for result in results['failed_checks']:
        obj = object_of(result['resource'])
        skip = next((s for s in skips if s['check'] == result['check_id'] and any(p.fullmatch(obj) for p in s['patterns'])), None)
        if skip:
            skip['used'] += 1
            skipped += 1
        else:
            failed[(result['check_id'], result['check_name'])].append(f'{obj} ({os.path.basename(result["file_path"])})')

    for (check, name), objects in sorted(failed.items()):
        print(f'FAILED {check} {name}:')
        for obj in sorted(set(objects)):
            print(f'    {obj}')
    stale = [s['check'] for s in skips if not s['used']]
    for check in stale:
        print(f'STALE skip {check}: it matches no failed check; remove it from {skips_path}')

    n_failed = sum(len(v) for v in failed.values())
    line = (f'checkov: {n_failed} failed, {len(results["passed_checks"])} passed, {skipped} skipped'
            f' (reasons in {skips_path}), {summary["resource_count"]} resources, checkov {summary.get("checkov_version")}')
    if n_failed or stale:
        print(line.replace('checkov: ', 'checkov: FAILED: ', 1) + (f', {len(stale)} stale skip(s)' if stale else ''))
        sys.exit(1)
    print(line)


if __name__ == '__main__':
    main()
