import { cdk, cdk8s, javascript } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-glance',
  description: 'cdk8s constructs for OpenStack Glance on Kubernetes, with a per-replica image cache, pruner and cleaner.',
  // jsii requires an author name and a repository URL in package.json. There is no contact
  // address and no public repository: '' leaves the address out, and the repository URL is set
  // empty below (see `repository`), rather than pointing at an address that does not exist.
  author: 'cdk8s-glance maintainers',
  authorAddress: '',
  repositoryUrl: '',
  // 0.0.0 and unpublished: the API may still change (Python classifier "4 - Beta", not "Stable").
  stability: cdk.Stability.EXPERIMENTAL,
  // engines.node: jsii 6.0 and jsii-rosetta need Node.js 20.16 or later to build; users get the same floor.
  minNodeVersion: '20.16.0',
  keywords: ['cdk8s', 'openstack', 'glance', 'kubernetes', 'image-cache'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  github: false,
  release: false,
  eslint: true,
  eslintOptions: { dirs: ['lib'], devdirs: ['test', 'examples', 'bench', 'scripts', 'projenrc'], fileExtensions: ['.ts'] },

  // jsii targets: the packages other languages install (see README, "Other languages").
  publishToPypi: { distName: 'cdk8s-glance', module: 'cdk8s_glance' },
  publishToMaven: { javaPackage: 'io.github.cdk8sglance', mavenGroupId: 'io.github.cdk8s-glance', mavenArtifactId: 'cdk8s-glance' },
  publishToGo: { moduleName: 'github.com/cdk8s-glance/cdk8s-glance-go' },
  publishToNuget: { dotNetNamespace: 'Cdk8sGlance', packageId: 'Cdk8sGlance' },

  // Sources and compiled output live side by side in lib/.
  srcdir: 'lib',
  libdir: 'lib',

  jsiiVersion: '~6.0.0',
  // TypeScript 7 breaks ts-jest; stay on 6.0 with jsii 6.0.
  typescriptVersion: '~6.0.0',
  cdk8sVersion: '2.70.0',
  constructsVersion: '10.4.0',
  peerDeps: ['cdk8s-plus-28@^2.5.6'],
  // Parses Glance custom resources; jsii needs runtime dependencies bundled.
  bundledDeps: ['yaml@^2.9.0'],
  bin: { 'cdk8s-glance': 'lib/cli.js' },
  devDeps: [
    '@types/node@^20',
    'cdk8s-plus-28@2.5.6',
    // Schema bounds for Kubernetes 1.28: 4.5 carries a 1.30+ schema, 4.4 the 1.27 one.
    'kubernetes-models@4.5.1',
    'kubernetes-models-1.27@npm:kubernetes-models@4.4.2',
    'fast-check@^4.3.0',
    'ts-node@^10.9.2',
    // Mutation testing (test:mutation): 9.x is the last line that runs on Node 20.
    '@stryker-mutator/core@9.6.1',
    '@stryker-mutator/jest-runner@9.6.1',
    // `cdk8s import` for the typed cert-manager objects in lib/imports (task import:cert-manager). Pinned:
    // test/cert-manager-import.test.ts checks that the committed file is what this version generates.
    'cdk8s-cli@2.207.60',
    // Validates the cert-manager objects against the CRD's schema in the tests (test/helpers.ts).
    'ajv@^8.12.0',
  ],

  jestOptions: {
    jestConfig: {
      // With srcdir == libdir, jest must resolve the .ts source before stale compiled .js.
      moduleFileExtensions: ['ts', 'js', 'json', 'node'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // The e2e's root filesystems hold whole Debian systems: nothing for jest to crawl.
      modulePathIgnorePatterns: ['<rootDir>/.cache/', '<rootDir>/.stryker-tmp'],
      collectCoverage: false,
      // A guard against a hung test, not a budget: no test may fail because the machine is busy
      // (Jest's default of 5 s did, under load). Waits inside tests are hang guards as long.
      testTimeout: 30 * 60_000,
      // Removes the output directories of the apps each test file made (test/setup-outdirs.ts).
      setupFilesAfterEnv: ['<rootDir>/test/setup-outdirs.ts'],
    },
  },
  // test/tsconfig.json type-checks lib, tests and examples together.
  tsconfigDev: { compilerOptions: { rootDir: '..' }, include: ['../lib/**/*.ts', '../examples/**/*.ts', '../bench/**/*.ts', '../scripts/**/*.ts'] },
});

// Synthesize every example app to dist/<example>/.
project.addTask('synth:examples', {
  description: 'Synthesize the example deployments to YAML under dist/',
  exec: 'ts-node --prefer-ts-exts --transpile-only --project test/tsconfig.json examples/synth-all.ts',
});

// Prints synthesis cost as the deployment grows (README, "Performance"); not a test.
project.addTask('bench', {
  description: 'Benchmark synthesis: objects, wall time, peak memory, ratio to bare YAML serialization',
  exec: 'ts-node --prefer-ts-exts --transpile-only --project test/tsconfig.json bench/synth-bench.ts',
});

// The examples and the benchmark sit outside any tsconfig.json's folder: lint them with the default project.
project.tryFindObjectFile('.eslintrc.json')?.addOverride('parserOptions.projectService.allowDefaultProject',
  ['.projenrc.ts', 'examples/*.ts', 'bench/*.ts', 'scripts/*.ts']);
// typescript-eslint lints at most 8 files so by default; the examples, bench and scripts are more.
project.tryFindObjectFile('.eslintrc.json')?.addOverride(
  'parserOptions.projectService.maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING', 32);

// No module may import itself back, not even for types.
project.eslint!.addRules({ 'import/no-cycle': ['error', { allowUnsafeDynamicCyclicDependency: false }] });

// Every line, strings, template literals, comments and regular expressions included, fits in 150 columns;
// only a line holding a URL may run longer.
project.eslint!.addRules({ '@stylistic/max-len': ['error', { code: 150, ignoreUrls: true }] });

// Typed cert-manager objects (Certificate), generated by `cdk8s import` from the CRD kept in crds/cert-manager/
// (README there: source, version, license). Never edited by hand: test/cert-manager-import.test.ts checks that
// lib/imports/cert-manager.io.ts is byte for byte what this task writes. Offline: a local file, no upgrade check.
project.addTask('import:cert-manager', {
  description: 'Regenerate lib/imports/cert-manager.io.ts from crds/cert-manager/certificates.yaml with cdk8s import',
  exec: 'cdk8s import crds/cert-manager/certificates.yaml --language typescript --output lib/imports --no-save --no-check-upgrade',
});
// Generated code: not linted (the eslint task runs with --fix, which would rewrite it), nor mutated (stryker.config.json).
project.eslint!.addIgnorePattern('lib/imports/');
project.gitattributes.addAttributes('/lib/imports/**', 'linguist-generated');

// Test tiers. Unit: seconds, no root, no Glance, no prior compile, and never rewrites a snapshot
// (update one on purpose with `npx jest -u test/examples.test.ts`).
const UNIT = ['jest', '--ci', '--passWithNoTests=false',
  ...['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/cluster/', '<rootDir>/test/sandbox/', '<rootDir>/test/package/',
    '<rootDir>/test/scan/', '<rootDir>/test/bindings/', '<rootDir>/test/fuzz.test.ts']
    .map((pattern) => `'--testPathIgnorePatterns=${pattern}'`)];
project.testTask.reset();
project.testTask.exec(UNIT.join(' '), { receiveArgs: true });
project.testTask.spawn(project.eslint!.eslintTask);
project.addTask('test:fuzz', {
  description: 'Property-based tests: 3000 generated prop sets (FUZZ_SEED=random explores)',
  exec: 'jest --ci --passWithNoTests=false test/fuzz.test.ts',
});
project.addTask('test:e2e', {
  description: 'Real Glance 25 and 30 in pod sandboxes, and the compiled package (root; scripts/install-glance.sh; after a compile)',
  // One file at a time: the API replicas of every scenario listen on the same loopback addresses;
  // and one run at a time on a machine (the lock a single file's run takes too, README "Tests").
  exec: 'flock /tmp/cdk8s-glance-e2e.lock jest --ci --runInBand --passWithNoTests=false test/sandbox test/e2e test/package',
});

project.addTask('test:cluster', {
  description: 'The YAML on a real single-node Kubernetes 1.34 cluster under Pod Security "restricted" ' +
    '(root; builds and caches Kubernetes, CoreDNS, kube-router and the images under ~/.cache/cdk8s-glance)',
  exec: 'bash scripts/cluster/test.sh',
});

project.addTask('test:bindings', {
  description: 'The Python, Java and Go packages (scripts/bindings.sh) synthesize the Ceph example byte for byte as TypeScript ' +
    '(Python 3.10+, JDK 11+ and Maven, Go 1.25+)',
  exec: 'jest --ci --passWithNoTests=false test/bindings',
});
project.addTask('test:scan', {
  description: 'Strict Kubernetes 1.28 schemas (unknown fields rejected) and checkov (PyPI tools in a cached venv)',
  exec: 'jest --ci --passWithNoTests=false test/scan',
});

// Mutation testing of all of lib/ over the unit tests (stryker.config.json): 1.5 to 2 hours on
// two cores, so it stays out of test:ci. It fails under a score of 90 %; README records the last run.
project.addTask('test:mutation', {
  description: 'StrykerJS over lib/ with the unit tests (1.5 to 2 h on 2 cores; reports/mutation); fails under a 90 % score',
  exec: 'stryker run',
});
project.gitignore.exclude('/reports/', '/.stryker-tmp*/');

// What CI runs: a real type-check, the jsii build, then every tier without snapshot updates.
project.addTask('test:ci', {
  description: 'Type-check, build, and run every test tier without updating snapshots',
  steps: [
    { exec: 'tsc --noEmit -p test/tsconfig.json' },
    // Fails when the public API stops being jsii-compatible.
    { exec: 'jsii --silence-warnings=reserved-word' },
    { exec: 'bash scripts/check-api-docs.sh' },
    { exec: 'bash scripts/bindings.sh' },
    { spawn: 'test:bindings' },
    { spawn: 'test' },
    { spawn: 'test:fuzz' },
    { spawn: 'test:scan' },
    { spawn: 'test:e2e' },
    { spawn: 'test:cluster' },
  ],
});

// The npm tarball (and the one jsii-pacmak embeds in every other language's package) holds what a
// user runs and reads: the compiled lib (.js and .d.ts, never the .ts sources, which a cdk8s app's
// tsc would type-check with its own settings), the cache jobs' script that the manifests ship at
// synth time, the jsii assembly and the docs. npm adds package.json, README.md, LICENSE and the
// bundled yaml by itself. `files` is an allowlist: nothing else (tests, scripts/, bench/,
// examples/, .ci/, the e2e's Debian root filesystems in .cache/, __pycache__) can slip in.
// test/package/stock-app.test.ts checks the list.
project.package.addField('files',
  ['lib/**/*.js', 'lib/**/*.d.ts', 'lib/*.py', 'lib/cache/*.py', 'lib/keystone/*.py', 'lib/tls/*.sh', '.jsii', 'API.md']);
// npm reads the root .npmignore only where `files` does not decide; it is kept in agreement all the same.
project.npmignore?.exclude('/lib/**/*.ts', '/examples/', '/bench/', '/scripts/', '/.ci/', '/.cache/', '__pycache__/');
project.npmignore?.include('/lib/**/*.d.ts', '/lib/*.py', '/lib/cache/*.py', '/lib/keystone/*.py', '/lib/tls/*.sh');
project.gitignore.exclude('__pycache__/');
// A worktree's node_modules is often a symlink to the main checkout's: `node_modules/` matches only a directory.
project.gitignore.exclude('/node_modules');
// jsii requires repository.url; there is no public repository, so it is empty rather than invented.
project.package.addField('repository', { type: 'git', url: '' });

// Packaging works on a fresh clone: each package task first builds what is missing or older than
// its sources (the jsii assembly, lib/*.js and .d.ts, API.md), as `build` would.
const STALE = "node -e \"const fs=require('fs'),p=require('path');"
  + "const t=fs.existsSync('.jsii')?fs.statSync('.jsii').mtimeMs:0;"
  + 'const newer=(f)=>fs.statSync(f).mtimeMs>t;'
  + 'const src=(d)=>fs.readdirSync(d,{withFileTypes:true}).some((e)=>{const f=p.join(d,e.name);'
  + "return e.isDirectory()?src(f):e.name.endsWith('.ts')&&!e.name.endsWith('.d.ts')&&newer(f);});"
  + "process.exit(!t||['package.json','tsconfig.json','README.md'].some(newer)||src('lib')?0:1)\"";
const compileIfNeeded = project.addTask('compile:if-needed', {
  description: 'pre-compile, compile and post-compile, unless the jsii assembly is newer than every source',
  condition: STALE,
  steps: [{ spawn: 'pre-compile' }, { spawn: 'compile' }, { spawn: 'post-compile' }],
});
for (const lang of ['js', 'java', 'python', 'dotnet', 'go']) {
  project.tasks.tryFind(`package:${lang}`)?.prependSpawn(compileIfNeeded);
}

project.synth();
