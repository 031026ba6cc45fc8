// Prints the cluster e2e's checks as a table in CI's log, one line each, after the run:
//   cluster: <check> ... pass
// Each test of test/cluster is one check; its title is the check's name.
class ClusterTableReporter {
  constructor() {
    this.lines = [];
  }

  onTestResult(_test, result) {
    for (const r of result.testResults) {
      const status = r.status === 'passed' ? 'pass' : r.status === 'failed' ? 'FAIL' : r.status;
      this.lines.push(`cluster: ${r.title} ... ${status}`);
    }
  }

  onRunComplete() {
    if (!this.lines.length) return;
    process.stdout.write(`\n${this.lines.join('\n')}\n`);
  }
}

module.exports = ClusterTableReporter;
