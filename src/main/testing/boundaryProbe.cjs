// Runs as the sandbox process would (same launcher flags), but as host code: what an attacker
// who escaped the vm context could do. Reports each attempt to the parent.
'use strict';
const results = {};
function attempt(name, fn) {
  try {
    fn();
    results[name] = 'allowed';
  } catch (error) {
    results[name] = error && error.code ? error.code : String(error && error.name);
  }
}
process.on('message', (message) => {
  attempt('readSecret', () => require('node:fs').readFileSync(message.secretPath, 'utf8'));
  attempt('readHome', () => require('node:fs').readdirSync(require('node:os').homedir()));
  attempt('writeFile', () => require('node:fs').writeFileSync(message.writePath, 'x'));
  attempt('spawn', () => require('node:child_process').spawnSync('true'));
  attempt('worker', () => new (require('node:worker_threads').Worker)('1', { eval: true }));
  attempt('codegen', () => new Function('return 1')());
  attempt('addon', () => process.dlopen({ exports: {} }, '/nonexistent.node'));
  process.send({ results, envKeys: Object.keys(process.env).sort() });
});
