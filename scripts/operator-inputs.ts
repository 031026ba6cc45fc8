/**
 * The operators' real inputs: every Glance CR and every OpenStackControlPlane with a glance
 * section that the openstack-k8s-operators repositories hold, read from git mirrors (bare
 * repositories under DIR: openstack-k8s-operators+{glance-operator,openstack-operator,architecture}/repo,
 * as `fetch` makes them): the YAML files at HEAD, and with a kustomize binary every kustomization
 * under config/samples/ or examples/ whose rendering holds exactly one of them (the glance-operator's
 * samples that fetch an openstack-operator sample from GitHub read the mirror's copy instead; other
 * remote resources are not fetched, and those renderings are listed as failed).
 */
import { execFile, execFileSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { homedir, tmpdir } from 'os';
import { join, relative } from 'path';
import { promisify } from 'util';
import { parseAllDocuments } from 'yaml';

export const REPOS = ['glance-operator', 'openstack-operator', 'architecture'] as const;

export interface OperatorInput {
  /** repo@commit:path, with #N for the Nth resource of a file, or "(kustomize)" for a rendering. */
  readonly source: string;
  readonly origin: 'stored' | 'kuttl' | 'kustomize';
  readonly cr: any;
}

export interface CollectedInputs {
  readonly inputs: OperatorInput[];
  /** Each repository's commit (full). */
  readonly commits: Record<string, string>;
  readonly kustomize?: { readonly binary: string; readonly failed: string[]; readonly noGlance: number; readonly several: string[] };
}

/** The Glance resources of a YAML text: Glance CRs, and control planes with a glance section. */
export function glanceDocs(text: string): any[] {
  let docs: any[];
  try {
    docs = parseAllDocuments(text).map((d) => d.toJS());
  } catch {
    return [];
  }
  return docs.filter((d) => d?.kind === 'Glance' || (d?.kind === 'OpenStackControlPlane' && d.spec?.glance && typeof d.spec.glance === 'object'));
}

/** The kustomize binary: the given path, $KUSTOMIZE, `kustomize` on PATH or ~/go/bin/kustomize; "none" for none. */
export function kustomizeBinary(given?: string): string | undefined {
  const chosen = given ?? process.env.KUSTOMIZE;
  if (chosen === 'none') return undefined;
  if (chosen) return chosen;
  try {
    return execFileSync('which', ['kustomize'], { encoding: 'utf8' }).trim();
  } catch {
    const home = join(homedir(), 'go', 'bin', 'kustomize');
    return existsSync(home) ? home : undefined;
  }
}

export async function collectInputs(mirrors: string, kustomize: string | undefined): Promise<CollectedInputs> {
  const repoDir = (repo: string) => join(mirrors, `openstack-k8s-operators+${repo}`, 'repo');
  const git = (repo: string, ...args: string[]) =>
    execFileSync('git', ['-C', repoDir(repo), ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const commits = Object.fromEntries(REPOS.map((repo) => [repo, git(repo, 'rev-parse', 'HEAD').trim()]));
  const short = (repo: string) => commits[repo].slice(0, 8);

  const inputs: OperatorInput[] = [];
  for (const repo of REPOS) {
    for (const path of git(repo, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').filter((p) => /\.ya?ml$/.test(p))) {
      const text = git(repo, 'show', `HEAD:${path}`);
      if (!/^kind:\s*(Glance|OpenStackControlPlane)\s*$/m.test(text)) continue;
      const docs = glanceDocs(text);
      docs.forEach((cr, i) => inputs.push({
        source: `${repo}@${short(repo)}:${path}${docs.length > 1 ? `#${i + 1}` : ''}`,
        origin: path.includes('test/kuttl/') ? 'kuttl' : 'stored',
        cr,
      }));
    }
  }
  if (!kustomize) return { inputs, commits };

  const work = mkdtempSync(join(tmpdir(), 'operator-inputs-'));
  try {
    for (const repo of REPOS) {
      execFileSync('sh', ['-c', 'mkdir -p "$2" && git -C "$1" archive HEAD | tar -x -C "$2"', 'sh', repoDir(repo), join(work, repo)]);
    }
    // The glance-operator's samples build on an openstack-operator sample fetched from GitHub's main: the mirror's copy instead.
    const remote = 'https://raw.githubusercontent.com/openstack-k8s-operators/openstack-operator/main/';
    for (const dir of kustomizationDirs(join(work, 'glance-operator'))) {
      const file = join(dir, 'kustomization.yaml');
      if (!existsSync(file)) continue;
      const text = readFileSync(file, 'utf8');
      if (text.includes(remote)) writeFileSync(file, text.split(remote).join(`${join(work, 'openstack-operator')}/`));
    }
    const dirs = REPOS.flatMap((repo) => kustomizationDirs(join(work, repo)).map((dir) => ({ repo, dir })));
    const run = promisify(execFile);
    const results: Array<{ repo: string; dir: string; out?: string }> = [];
    let next = 0;
    const worker = async () => {
      while (next < dirs.length) {
        const { repo, dir } = dirs[next++];
        try {
          const { stdout } = await run(kustomize, ['build', '--load-restrictor', 'LoadRestrictionsNone', dir], { maxBuffer: 256 * 1024 * 1024 });
          results.push({ repo, dir, out: stdout });
        } catch {
          results.push({ repo, dir });
        }
      }
    };
    await Promise.all([worker(), worker()]);
    const failed: string[] = [];
    const several: string[] = [];
    let noGlance = 0;
    for (const { repo, dir, out } of results.sort((a, b) => (a.dir < b.dir ? -1 : 1))) {
      const name = `${repo}@${short(repo)}:${relative(join(work, repo), dir)} (kustomize)`;
      if (out === undefined) {
        failed.push(name);
        continue;
      }
      const docs = glanceDocs(out);
      if (docs.length === 0) noGlance++;
      else if (docs.length > 1) several.push(name);
      else inputs.push({ source: name, origin: 'kustomize', cr: docs[0] });
    }
    return { inputs, commits, kustomize: { binary: kustomize, failed, noGlance, several } };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function kustomizationDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (['kustomization.yaml', 'kustomization.yml', 'Kustomization'].includes(entry)) found.push(dir);
    }
  };
  walk(root);
  return found.filter((dir) => /(^|\/)(config\/samples|examples)(\/|$)/.test(relative(root, dir)));
}
