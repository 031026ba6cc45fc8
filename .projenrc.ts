import { cdk8s, javascript } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-glance',
  description: 'cdk8s constructs for OpenStack Glance on Kubernetes, with a per-replica image cache, pruner and cleaner.',
  author: 'cdk8s-glance maintainers',
  authorAddress: 'maintainers@cdk8s-glance.invalid',
  repositoryUrl: 'https://github.com/cdk8s-glance/cdk8s-glance.git',
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
  ],

  jestOptions: {
    jestConfig: {
      // With srcdir == libdir, jest must resolve the .ts source before stale compiled .js.
      moduleFileExtensions: ['ts', 'js', 'json', 'node'],
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // The e2e's root filesystems hold whole Debian systems: nothing for jest to crawl.
      modulePathIgnorePatterns: ['<rootDir>/.cache/'],
      collectCoverage: false,
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

// No module may import itself back, not even for types.
project.eslint!.addRules({ 'import/no-cycle': ['error', { allowUnsafeDynamicCyclicDependency: false }] });

// Test tiers. Unit: seconds, no root, no Glance, no prior compile, and never rewrites a snapshot
// (update one on purpose with `npx jest -u test/examples.test.ts`).
const UNIT = ['jest', '--ci', '--passWithNoTests=false',
  ...['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/sandbox/', '<rootDir>/test/package/', '<rootDir>/test/fuzz.test.ts']
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
  // One file at a time: the API replicas of every scenario listen on the same loopback addresses.
  exec: 'jest --ci --runInBand --passWithNoTests=false test/sandbox test/e2e test/package',
});

// What CI runs: a real type-check, the jsii build, then every tier without snapshot updates.
project.addTask('test:ci', {
  description: 'Type-check, build, and run every test tier without updating snapshots',
  steps: [
    { exec: 'tsc --noEmit -p test/tsconfig.json' },
    // Fails when the public API stops being jsii-compatible.
    { exec: 'jsii --silence-warnings=reserved-word' },
    { exec: 'bash scripts/check-api-docs.sh' },
    { exec: 'bash scripts/bindings.sh' },
    { spawn: 'test' },
    { spawn: 'test:fuzz' },
    { spawn: 'test:e2e' },
  ],
});

// The cache jobs' script is read at synth time, so it ships in the package.
project.npmignore?.include('/lib/cache/*.py');
// The e2e's Debian root filesystems (scripts/glance-rootfs.sh) and Python's byte code.
project.npmignore?.exclude('/.cache/', '__pycache__/');
project.gitignore.exclude('__pycache__/');

project.synth();
