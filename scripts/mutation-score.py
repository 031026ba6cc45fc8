#!/usr/bin/env python3
"""Prints the mutation score of lib/ from one or more Stryker JSON reports (test:mutation, or the
batches of scripts/mutation-batches.sh), per file and in all, as README's table has it.
Equivalent mutants are the ones a "Stryker disable" comment excludes (status Ignored): they are
listed with the reason the comment gives, and count in neither side of the score."""
import collections
import json
import sys

reports = sys.argv[1:] or ['reports/mutation/mutation.json']
files = {}
for path in reports:
    files.update(json.load(open(path))['files'])
total = collections.Counter()
print('| file | killed | survived | no coverage | equivalent (excluded) | score |')
print('|---|---:|---:|---:|---:|---:|')
for name in sorted(files):
    count = collections.Counter(m['status'] for m in files[name]['mutants'])
    total.update(count)
    detected = count['Killed'] + count['Timeout']
    valid = detected + count['Survived'] + count['NoCoverage']
    print(f"| `{name}` | {detected} | {count['Survived']} | {count['NoCoverage']} | {count['Ignored']} | {100 * detected / valid if valid else 100:.1f} % |")
detected = total['Killed'] + total['Timeout']
valid = detected + total['Survived'] + total['NoCoverage']
print(f"| **{len(files)} files** | {detected} | {total['Survived']} | {total['NoCoverage']} | {total['Ignored']} | **{100 * detected / valid:.2f} %** |")
print()
for name in sorted(files):
    for m in files[name]['mutants']:
        if m['status'] == 'Ignored':
            print(f"- equivalent: `{name}:{m['location']['start']['line']}` {m['mutatorName']}: {m.get('statusReason', '')}")
