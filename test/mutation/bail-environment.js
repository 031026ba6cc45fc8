// Test environment of the mutation run: once a test fails, the tests after it are skipped. The
// mutant is killed by then, and without this every mutant ran every test that covers it.
const { TestEnvironment } = require('jest-environment-node');

class BailOnFirstFailure extends TestEnvironment {
  failed = false;

  async handleTestEvent(event, state) {
    if (event.name === 'test_done' && event.test.errors.length > 0) this.failed = true;
    if (event.name === 'test_start' && this.failed) event.test.mode = 'skip';
    await super.handleTestEvent?.(event, state);
  }
}

module.exports = BailOnFirstFailure;
