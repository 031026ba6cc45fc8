// Jest configuration of the mutation run: the project's own, with every unit test file loaded
// from one module (unit-tests.mutation.ts).
const path = require('path');
const root = path.join(__dirname, '..', '..');
const { jest } = require(path.join(root, 'package.json'));

module.exports = {
  ...jest,
  rootDir: root,
  testMatch: ['<rootDir>/test/mutation/unit-tests.mutation.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  snapshotResolver: '<rootDir>/test/mutation/snapshot-resolver.js',
  ci: true,
  testEnvironment: path.join(__dirname, 'bail-environment.js'),
  reporters: ['default'],
};
