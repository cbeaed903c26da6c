#!/usr/bin/env node
// Finds redis-server for the unit tests (the CLI's shared rate budget), installing Debian's package when
// none is present, so `npm test` needs nothing else. Order: REDIS_SERVER_PATH, /usr/bin/redis-server, PATH,
// then `apt-get install redis-server`. The tests start and stop their own server on a free port.
import { execSync } from 'node:child_process';
import { findRedisServer } from './redis-path.mjs';

const found = findRedisServer();
if (found) {
  console.log(`redis-server for the tests: ${found}`);
  process.exit(0);
}

console.log('No redis-server found. Installing Debian\'s redis-server…');
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = asRoot ? '' : 'sudo ';
try {
  // Only the executable is used: the tests start their own server on a free port.
  execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server`, { stdio: 'inherit' });
} catch {
  // Fall through to the message below.
}
const installed = findRedisServer();
if (installed) {
  console.log(`Installed ${installed}.`);
  process.exit(0);
}
console.error(
  'Could not find or install redis-server for the tests.\n' +
  'Install it with:  apt-get update && apt-get install -y redis-server\n' +
  'or point REDIS_SERVER_PATH at a redis-server executable.',
);
process.exit(1);
