/**
 * The CLI's store flags build a store through its factory, which checks its options at once: a bad
 * value is reported under the flag the user typed, before any file is read.
 */
import { runCli } from '../lib/cli';

function errorOf(...args: string[]): { code: number; text: string } {
  let text = '';
  const code = runCli(['synth', '--from', '/nonexistent/cr.yaml', ...args], () => undefined, (t) => { text += t; });
  return { code, text };
}

test.each([
  [['--ceph-secret', 'ceph', '--rbd-pool', 'my pool'], '--rbd-pool: is not a Ceph name (got "my pool")'],
  [['--ceph-secret', 'ceph', '--rbd-user', 'a/b'], '--rbd-user: is not a Ceph name (got "a/b")'],
  [['--ceph-secret', 'Bad_Name'], '--ceph-secret: is not a DNS-1123 label (got "Bad_Name")'],
  [['--shared-claim', 'Bad Claim'], '--shared-claim: is not a DNS-1123 label (got "Bad Claim")'],
])('%j is reported under its flag, before the file is read', (args, message) => {
  const { code, text } = errorOf(...args);
  expect(code).toBe(1);
  expect(text).toContain(message);
  expect(text).not.toContain('/nonexistent');
});
