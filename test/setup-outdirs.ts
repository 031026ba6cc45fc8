/**
 * Every app that cdk8s's Testing.app() makes writes to a temporary directory of its own
 * (`cdk8s.outdir*` under the system's temporary directory) that nothing removes: a unit run made
 * over two thousand, and the machine had kept a quarter of a million. Each test file removes its
 * own when it ends (jest's setupFilesAfterEnv, every tier).
 */
import { rmSync } from 'fs';
import { Testing } from 'cdk8s';

const made: string[] = [];
const testingApp = Testing.app.bind(Testing);
Testing.app = (...args: Parameters<typeof Testing.app>) => {
  const app = testingApp(...args);
  made.push(app.outdir);
  return app;
};

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
