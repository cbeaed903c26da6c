#!/usr/bin/env node
// `facematch` (package.json "bin"): loads the TypeScript CLI through tsx, a dependency, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { cli } = await import('../src/cli/main.ts');
await cli();
