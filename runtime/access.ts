// Who may reach a server: one bound to a loopback address needs no token; elsewhere the token
// is compared in constant time. Shared by the web page and the worker's metrics endpoint.
import { timingSafeEqual } from 'node:crypto';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}
