#!/bin/bash
# The mutation run of test:mutation, in batches of lib/ files, each with its own report and
# incremental file under reports/: on a 2-core machine the whole run takes about 1.5 hours, and
# a batch gives its report as soon as it ends (a2 and a3 split the rest of lib/ in two). `bash scripts/mutation-batches.sh b2` runs one.
# Generated code (lib/imports/, from `cdk8s import`) is never mutated.
# Then: python3 scripts/mutation-score.py reports/mutation-*.json
#
# RETEST_SURVIVORS=1 first drops the survivors from each batch's incremental file: Stryker reuses
# a survivor's result while the tests that covered it look unchanged, even after new tests.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A BATCHES=(
  [a1]='lib/tls/**/*.ts,lib/api-serving.ts,lib/database.ts,lib/config-guard.ts,lib/glance-conf.ts,lib/release.ts,lib/errors.ts,lib/quantity.ts,lib/names.ts'
  [a2]='lib/**/*.ts,!lib/**/*.d.ts,!lib/index.ts,!lib/imports/**,!lib/tls/**,!lib/api-serving.ts,!lib/database.ts,!lib/config-guard.ts,!lib/glance-conf.ts,!lib/release.ts,!lib/errors.ts,!lib/quantity.ts,!lib/names.ts,!lib/stores/**,!lib/custom-resource/**,!lib/cache/**,!lib/glance-api.ts,!lib/api-pod.ts,!lib/api-host.ts,!lib/glance.ts,!lib/cli.ts,!lib/service-config.ts,!lib/network-policy.ts,!lib/web-download.ts,!lib/pod-security.ts,!lib/keystone/**'
  [a3]='lib/network-policy.ts,lib/web-download.ts,lib/pod-security.ts,lib/keystone/**/*.ts'
  [b1]='lib/glance-api.ts,lib/api-pod.ts,lib/api-host.ts,lib/glance.ts,lib/service-config.ts,lib/cli.ts'
  [b2]='lib/custom-resource/**/*.ts'
  [b3]='lib/stores/**/*.ts'
  [b4]='lib/cache/**/*.ts'
)
mkdir -p reports
for batch in ${@:-a1 a2 a3 b1 b2 b3 b4}; do
  if [ "${RETEST_SURVIVORS:-}" = 1 ] && [ -f "reports/inc-$batch.json" ]; then
    node -e '
      const fs = require("fs");
      const file = process.argv[1];
      const report = JSON.parse(fs.readFileSync(file, "utf8"));
      for (const f of Object.values(report.files)) f.mutants = f.mutants.filter((m) => !["Survived", "NoCoverage"].includes(m.status));
      fs.writeFileSync(file, JSON.stringify(report));
    ' "reports/inc-$batch.json"
  fi
  node -e '
    const [batch, mutate] = process.argv.slice(1);
    const config = require("./stryker.config.json");
    delete config.$schema;
    Object.assign(config, {
      mutate: mutate.split(","), incrementalFile: `reports/inc-${batch}.json`, tempDirName: `.stryker-tmp-${batch}`,
      jsonReporter: { fileName: `reports/mutation-${batch}.json` }, htmlReporter: { fileName: `reports/mutation-${batch}.html` },
      thresholds: { ...config.thresholds, break: null },
    });
    require("fs").writeFileSync(`reports/stryker-${batch}.json`, JSON.stringify(config, null, 2));
  ' "$batch" "${BATCHES[$batch]}"
  npx stryker run "reports/stryker-$batch.json"
done
