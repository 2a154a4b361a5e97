// Boots the web server's planning thread: tsx compiles its TypeScript, as bin/freshet.mjs does for the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./plan-thread.ts');
