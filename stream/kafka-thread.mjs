// Boots the Kafka source's fetching thread: tsx compiles its TypeScript, as bin/freshet.mjs does for the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./kafka-thread.ts');
