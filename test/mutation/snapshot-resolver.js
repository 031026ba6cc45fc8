// The mutation run loads every unit test file from unit-tests.mutation.ts; the only snapshots are
// those of examples.test.ts, whose test names they keep.
const path = require('path');

module.exports = {
  resolveSnapshotPath: (testPath, extension) => path.join(path.dirname(testPath), '..', '__snapshots__', 'examples.test.ts' + extension),
  resolveTestPath: (snapshotPath) => path.join(path.dirname(snapshotPath), '..', 'mutation', 'unit-tests.mutation.ts'),
  testPathForConsistencyCheck: path.join('test', 'mutation', 'unit-tests.mutation.ts'),
};
