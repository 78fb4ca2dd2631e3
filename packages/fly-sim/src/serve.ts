/**
 * The fly-sim platform process: `node --import tsx serve.ts <stateDir>`. Prints
 * `fly-sim listening <url>` when ready and exits when its stdin closes (its parent
 * went away) or on SIGTERM/SIGINT, closing every app server first.
 */
import { SimServer } from './server';

const stateDir = process.argv[2];
if (!stateDir) {
  console.error('usage: serve.ts <stateDir>');
  process.exit(2);
}
const options = JSON.parse(process.env.FLY_SIM_SERVER_OPTIONS || '{}');
const server = new SimServer({ ...options, stateDir });
const url = await server.start();
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.stdout.write(`fly-sim listening ${url}\n`);
