// run_node.mjs — runs a WASI command under Node's node:wasi, as a cross-check of boxagent's
// host: node --no-warnings run_node.mjs [--dir HOST[::GUEST]]... [--env K=V]... MODULE [ARGS...]
import { WASI } from 'node:wasi';
import fs from 'node:fs';

const argv = process.argv.slice(2);
const preopens = {};
const env = { WASI_NODE: '1' };
while (argv.length && argv[0].startsWith('--')) {
  const opt = argv.shift();
  const val = argv.shift();
  if (opt === '--dir') {
    const [host, guest] = val.split('::');
    preopens[guest ?? host] = host;
  } else if (opt === '--env') {
    const i = val.indexOf('=');
    env[val.slice(0, i)] = val.slice(i + 1);
  } else {
    console.error(`run_node: unknown option ${opt}`);
    process.exit(2);
  }
}
const mod = argv[0];
const wasi = new WASI({ version: 'preview1', args: argv, env, preopens, returnOnExit: true });
const m = await WebAssembly.compile(fs.readFileSync(mod));
const inst = await WebAssembly.instantiate(m, { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(inst);
