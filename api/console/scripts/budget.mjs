// The console's JavaScript budget (issue #14): at most 250 KB gzipped, all chunks together. The build fails past it,
// so a heavy dependency is a decision someone makes, not something that creeps in.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 250 * 1000;
const root = 'target/classes/console';

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const scripts = files(root).filter((path) => path.endsWith('.js'));
if (scripts.length === 0) {
  console.error(`budget: no JavaScript under ${root}; did the build run?`);
  process.exit(1);
}
const total = scripts.reduce((sum, path) => sum + gzipSync(readFileSync(path), { level: 9 }).length, 0);
const line = `console JavaScript: ${(total / 1000).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1000} KB)`;
if (total > BUDGET_BYTES) {
  console.error(`budget exceeded: ${line}`);
  process.exit(1);
}
console.log(line);
