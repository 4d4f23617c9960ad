// Tests for contracts/bin/solc, the solc-js wrapper that forge runs as its compiler.
// Run: node --test test/js/   (from contracts/, after npm ci)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const contracts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const solc = path.join(contracts, 'bin', 'solc');

function run(args, input, cwd = contracts) {
  const r = spawnSync(solc, args, { input, cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function compile(sources, args, cwd) {
  const input = JSON.stringify({
    language: 'Solidity',
    sources,
    settings: { outputSelection: { '*': { '*': ['evm.bytecode.object'] } } },
  });
  const r = run(['--standard-json', ...args], input, cwd);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out);
}

const errorsOf = (out) => (out.errors || []).filter((e) => e.severity === 'error');

test('--version prints the line foundry-compilers parses', () => {
  const r = run(['--version']);
  assert.equal(r.code, 0);
  const last = r.out.trim().split('\n').pop();
  assert.match(last, /^Version: 0\.8\.\d+\+commit\.[0-9a-f]{8}\.Emscripten\.clang$/);
  const pkg = JSON.parse(fs.readFileSync(path.join(contracts, 'node_modules/solc/package.json'), 'utf8'));
  assert.ok(last.startsWith(`Version: ${pkg.version}+`), 'version matches the installed solc-js');
});

test('--standard-json compiles sources given inline, ignoring unknown flags', () => {
  const out = compile(
    { 'A.sol': { content: 'pragma solidity ^0.8.0; contract A { function f() external pure returns (uint) { return 1; } }' } },
    ['--some-future-flag', '--optimize'],
  );
  assert.deepEqual(errorsOf(out), []);
  assert.ok(out.contracts['A.sol'].A.evm.bytecode.object.length > 0);
});

test('compile errors travel inside the JSON with exit code 0, like native solc', () => {
  const out = compile({ 'B.sol': { content: 'pragma solidity ^0.8.0; contract B { oops }' } }, []);
  assert.equal(errorsOf(out).length, 1);
});

test('missing sources resolve through --base-path and --include-path', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-solc-'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.mkdirSync(path.join(dir, 'deps', 'pkg'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'src', 'L.sol'), 'pragma solidity ^0.8.0; library L { function one() internal pure returns (uint) { return 1; } }');
  fs.writeFileSync(path.join(dir, 'deps', 'pkg', 'M.sol'), 'pragma solidity ^0.8.0; library M { function two() internal pure returns (uint) { return 2; } }');
  const main = 'pragma solidity ^0.8.0; import "src/L.sol"; import "pkg/M.sol"; contract C { function f() external pure returns (uint) { return L.one() + M.two(); } }';
  const out = compile(
    { 'src/C.sol': { content: main } },
    ['--base-path', dir, '--include-path', path.join(dir, 'deps'), '--allow-paths', dir],
    os.tmpdir(),
  );
  assert.deepEqual(errorsOf(out), []);
  assert.ok(out.contracts['src/C.sol'].C);
  assert.ok(out.sources['pkg/M.sol'], 'include-path source was loaded');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('imports outside the allowed paths are refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-solc-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'quire-solc-outside-'));
  fs.writeFileSync(path.join(outside, 'X.sol'), 'pragma solidity ^0.8.0; library X {}');
  const main = `pragma solidity ^0.8.0; import "${path.join(outside, 'X.sol')}"; contract C {}`;
  const out = compile({ 'C.sol': { content: main } }, ['--base-path', dir], os.tmpdir());
  const errs = errorsOf(out);
  assert.equal(errs.length, 1);
  assert.match(errs[0].message, /outside of allowed directories/);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

test('anything but --version/--license/--standard-json is an error', () => {
  const r = run(['src/lib/Goldilocks.sol', '--bin']);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /only supports/);
});
