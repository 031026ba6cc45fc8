/**
 * Synthesis cost as the deployment grows: APIs × replicas. Not a test: it prints figures.
 *
 *   npx projen bench
 *
 * Each case runs in a child process of its own, so that peak memory belongs to that case.
 * "floor" is the time the `yaml` package takes to serialize the very same objects: what any
 * synthesis must at least spend. "µs/object" should stay flat as the cases grow; a rising one
 * means cost grows faster than the output. "YAML KiB" is the output's size and "µs/KiB" the cost
 * per KiB of it: a cost per object that rises while the cost per KiB stays flat means the objects
 * grew, not the code's cost.
 */
import { execFileSync } from 'child_process';
import { App, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { Glance, ImageBackend } from '../lib';

const API_COUNTS = [1, 10, 50];
const REPLICA_COUNTS = [1, 3, 10];
const REPEATS = 5;

interface Result { apis: number; replicas: number; objects: number; yamlBytes: number; synthMs: number; floorMs: number; peakRssMb: number }

function build(apis: number, replicas: number): App {
  const app = new App();
  const chart = new Chart(app, 'bench', { namespace: 'openstack' });
  new Glance(chart, 'glance', {
    database: { connectionSecret: { name: 'glance-db', key: 'connection' } },
    keystone: { authUrl: 'http://keystone:5000', passwordSecret: { name: 'osp-secret', key: 'GlancePassword' } },
    backend: ImageBackend.file({ sharedStore: { storageClass: 'nfs-client' } }),
    imageCache: { size: '10Gi' },
    customServiceConfig: '[DEFAULT]\ndebug = false\n',
    apis: Object.fromEntries(Array.from({ length: apis }, (_, i) => [`api${i}`, { replicas }])),
  });
  return app;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Child side: measure one case and print it as JSON. */
function runCase(apis: number, replicas: number): Result {
  const synth: number[] = [];
  const floor: number[] = [];
  let objects = 0;
  let yamlBytes = 0;
  for (let i = 0; i <= REPEATS; i++) {
    const started = performance.now();
    const app = build(apis, replicas);
    const yaml = app.synthYaml();
    const synthMs = performance.now() - started;
    const docs = app.charts[0].toJson();
    const floorStarted = performance.now();
    const floorYaml = docs.map((doc) => stringify(doc)).join('---\n');
    const floorMs = performance.now() - floorStarted;
    objects = docs.length;
    yamlBytes = Buffer.byteLength(yaml);
    if (!yaml.length || !floorYaml.length) throw new Error('empty output');
    // The first round warms up the JIT and module caches; it is not counted.
    if (i > 0) { synth.push(synthMs); floor.push(floorMs); }
  }
  return { apis, replicas, objects, yamlBytes, synthMs: median(synth), floorMs: median(floor), peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

if (process.argv[2] === '--case') {
  const [apis, replicas] = process.argv[3].split('x').map(Number);
  process.stdout.write(JSON.stringify(runCase(apis, replicas)));
} else {
  const rows: Result[] = [];
  for (const apis of API_COUNTS) {
    for (const replicas of REPLICA_COUNTS) {
      const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--case', `${apis}x${replicas}`], { encoding: 'utf8' });
      rows.push(JSON.parse(out));
    }
  }
  const header = ['APIs', 'replicas', 'objects', 'YAML KiB', 'synth ms', 'floor ms', 'synth/floor', 'µs/object', 'µs/KiB', 'peak RSS MiB'];
  const table = rows.map((r) => [r.apis, r.replicas, r.objects, (r.yamlBytes / 1024).toFixed(0), r.synthMs.toFixed(1), r.floorMs.toFixed(1),
    (r.synthMs / r.floorMs).toFixed(2), (1000 * r.synthMs / r.objects).toFixed(0), (1000 * r.synthMs / (r.yamlBytes / 1024)).toFixed(1),
    r.peakRssMb.toFixed(0)].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(`synthesis benchmark (median of ${REPEATS} after a warm-up, node ${process.version})`);
  console.log(line(header));
  for (const row of table) console.log(line(row));
}
