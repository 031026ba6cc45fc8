/**
 * Every unit test file, loaded into one module registry, for the mutation run (test:mutation).
 * Jest gives each test file its own registry, so a mutant covered by tests in twelve files paid
 * twelve loads of cdk8s-plus and the library; from one file it pays one. The fuzz suite is left out:
 * its cases are random, so a mutant it kills once may survive the next run.
 */
import { readdirSync } from 'fs';
import { join } from 'path';

const TESTS = join(__dirname, '..');
// The tests that kill most mutants first: every test after the first failure is skipped
// (bail-environment.js), so a killed mutant costs only the tests before it.
const FIRST = ['examples.test.ts', 'defaults.test.ts', 'units.test.ts'];
// The unit tier: test/*.test.ts and the subject folders (custom-resource/), not the other tiers' folders.
const TIERS = ['e2e', 'cluster', 'sandbox', 'package', 'scan', 'bindings', 'mutation', 'fixtures', '__snapshots__'];
const folders = readdirSync(TESTS, { withFileTypes: true }).filter((d) => d.isDirectory() && !TIERS.includes(d.name)).map((d) => d.name);
const files = [
  ...readdirSync(TESTS).filter((f) => f.endsWith('.test.ts') && f !== 'fuzz.test.ts'),
  ...folders.flatMap((folder) => readdirSync(join(TESTS, folder)).filter((f) => f.endsWith('.test.ts')).map((f) => join(folder, f))),
];
for (const file of [...FIRST, ...files.filter((f) => !FIRST.includes(f)).sort()]) {
  // The list of files is only known at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(TESTS, file));
}
