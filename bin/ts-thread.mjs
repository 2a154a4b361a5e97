// Boots a worker thread whose code is TypeScript: tsx compiles it, as bin/freshet.mjs does for the
// CLI. The module to run is the thread's one argument: new Worker(<this file>, { argv: [<module URL>] }).
import { register } from 'tsx/esm/api';

register();
await import(process.argv[2]);
