/**
 * Writes test/fixtures/operator-probes.json: the probes the glance-operator gives a GlanceAPI's
 * pod, computed by its own code, for the probe differential (test/custom-resource/probes-differential.test.ts):
 *   npx ts-node scripts/collect-operator-probes.ts [--mirrors DIR]
 *
 * Needs Go (this machine kind's /usr/local/go) and the Go module proxy (k8s.io/api and what
 * lib-common's common module requires). A throwaway module runs, for every case, what
 * glanceapi/statefulset.go runs: lib-common's probes.CreateProbeSet(port, scheme,
 * spec.override.probes, glance.GetDefaultProbesAPI(spec.apiTimeout)). GetDefaultProbesAPI is
 * the glance-operator's own function, taken from internal/glance/funcs.go at the mirror's HEAD
 * when the script runs (not kept here); lib-common's modules/common comes from its mirror through
 * a replace (the glance-operator pins a lib-common commit the module proxy does not serve, whose
 * probes package the mirror's HEAD is compared against in the fixture's sources).
 */
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

const MIRRORS = arg('--mirrors') ?? '/work/.mirror';
const GO_REPO = join(MIRRORS, 'openstack-k8s-operators+glance-operator', 'repo');
const LC_REPO = join(MIRRORS, 'openstack-k8s-operators+lib-common', 'repo');
const git = (repo: string, ...args: string[]) => execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8', maxBuffer: 2 ** 28 });

/** The apiTimeouts: every one to 400 s, then larger ones up to where the operator's int32 arithmetic overflows and past it. */
const TIMEOUTS = [
  ...Array.from({ length: 400 }, (_, i) => i + 1),
  450, 500, 600, 900, 1200, 1800, 3600, 7200, 86400, 604800, 2147483647, 7158278826, 7158278827, 7158279000, 10000000000,
];
/** Overrides as a CR writes them (override.probes), each with a few apiTimeouts: values above 0 replace the defaults, a 0 does not. */
const OVERRIDES: object[] = [
  { livenessProbes: { periodSeconds: 20 } },
  { readinessProbes: { timeoutSeconds: 0, failureThreshold: 6 } },
  { startupProbes: { initialDelaySeconds: 30, periodSeconds: 3, failureThreshold: 60 } },
  { livenessProbes: { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 1, failureThreshold: 1 } },
  {
    livenessProbes: { periodSeconds: 2147483647 },
    readinessProbes: { initialDelaySeconds: 2147483647 },
    startupProbes: { timeoutSeconds: 2147483647, failureThreshold: 2147483647 },
  },
  { livenessProbes: {}, readinessProbes: {}, startupProbes: {} },
  { livenessProbes: { path: '/healthcheck', port: 9292 }, readinessProbes: { type: 'HTTP', periodSeconds: 7 } },
];
const OVERRIDE_TIMEOUTS = [1, 5, 30, 60, 120, 600];

const MAIN = `
type request struct {
	APITimeout int                 \`json:"apiTimeout"\`
	Override   probes.OverrideSpec \`json:"override"\`
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	scheme := v1.URISchemeHTTP
	for in.Scan() {
		var r request
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			panic(err)
		}
		set, err := probes.CreateProbeSet(9292, &scheme, r.Override, GetDefaultProbesAPI(r.APITimeout))
		if err != nil {
			_ = out.Encode(map[string]string{"error": err.Error()})
			continue
		}
		_ = out.Encode(map[string]*v1.Probe{"liveness": set.Liveness, "readiness": set.Readiness, "startup": set.Startup})
	}
}
`;

function main(): void {
  const glanceCommit = git(GO_REPO, 'rev-parse', 'HEAD').trim();
  const lcCommit = git(LC_REPO, 'rev-parse', 'HEAD').trim();
  const funcs = git(GO_REPO, 'show', 'HEAD:internal/glance/funcs.go');
  const start = funcs.indexOf('// GetDefaultProbesAPI');
  const end = funcs.indexOf('\n}\n', start);
  if (start < 0 || end < 0) throw new Error('collect-operator-probes: no GetDefaultProbesAPI in internal/glance/funcs.go');
  const dir = mkdtempSync(join(tmpdir(), 'operator-probes-'));
  try {
    mkdirSync(join(dir, 'lc'));
    execFileSync('bash', ['-c', `git --git-dir '${LC_REPO}' archive HEAD modules/common | tar -x -C '${join(dir, 'lc')}'`]);
    writeFileSync(join(dir, 'go.mod'), 'module probesdump\n\ngo 1.26\n\n'
      + 'require github.com/openstack-k8s-operators/lib-common/modules/common v0.0.0\n\n'
      + 'replace github.com/openstack-k8s-operators/lib-common/modules/common => ./lc/modules/common\n');
    writeFileSync(join(dir, 'main.go'), 'package main\n\nimport (\n\t"bufio"\n\t"encoding/json"\n\t"math"\n\t"os"\n\n'
      + '\t"github.com/openstack-k8s-operators/lib-common/modules/common/probes"\n\tv1 "k8s.io/api/core/v1"\n)\n\n'
      + `${funcs.slice(start, end + 3)}\nvar _ = math.Floor\n${MAIN}`);
    const env = { ...process.env, PATH: `${process.env.PATH}:/usr/local/go/bin`, GOFLAGS: '-mod=mod' };
    execFileSync('go', ['mod', 'tidy'], { cwd: dir, env, stdio: 'inherit' });
    const requests = [
      ...TIMEOUTS.map((apiTimeout) => ({ apiTimeout, override: {} })),
      ...OVERRIDES.flatMap((override) => OVERRIDE_TIMEOUTS.map((apiTimeout) => ({ apiTimeout, override }))),
    ];
    const output = execFileSync('go', ['run', '.'], {
      cwd: dir, env, encoding: 'utf8', input: requests.map((r) => JSON.stringify(r)).join('\n') + '\n', maxBuffer: 2 ** 28,
    });
    const answers = output.trim().split('\n').map((line) => JSON.parse(line));
    if (answers.length !== requests.length) throw new Error(`collect-operator-probes: ${answers.length} answers for ${requests.length} cases`);
    const fixture = {
      about: 'The probes the glance-operator gives a GlanceAPI pod: lib-common probes.CreateProbeSet(9292, HTTP, override.probes, '
        + 'glance.GetDefaultProbesAPI(apiTimeout)), run by scripts/collect-operator-probes.ts. Probe fields Kubernetes omits when 0 are absent.',
      sources: {
        'glance-operator': `${glanceCommit} internal/glance/funcs.go GetDefaultProbesAPI`,
        'lib-common': `${lcCommit} modules/common/probes (the glance-operator pins fdcb3ee3699d, which the module proxy does not serve)`,
        'go': execFileSync('go', ['version'], { env, encoding: 'utf8' }).trim(),
      },
      cases: requests.map((request, i) => ({ ...request, operator: answers[i] })),
    };
    // One case a line: the header readable, the cases diffable.
    const { cases, ...header } = fixture;
    const lines = cases.map((c) => `  ${JSON.stringify(c)}`).join(',\n');
    const text = JSON.stringify(header, null, 1).replace(/\n}$/, `,\n "cases": [\n${lines}\n ]\n}\n`);
    writeFileSync(join(__dirname, '..', 'test', 'fixtures', 'operator-probes.json'), text);
    process.stdout.write(`collect-operator-probes: ${requests.length} cases written\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
