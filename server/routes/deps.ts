import type { ServerConfig } from '../config.ts';
import type { Engine } from '../engine/types.ts';
import type { FaultInjector } from '../faults.ts';

/** What every route module gets from the app module. */
export interface RouteDeps {
  config: ServerConfig;
  engine: Engine;
  faults: FaultInjector;
}
