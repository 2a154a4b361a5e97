import { describe, expect, it } from 'vitest';
import { allocateTemporalPorts, MAX_MEMBERSHIP_PORT } from './temporal-server.ts';

describe('allocateTemporalPorts', () => {
  it('gives eleven distinct ports, membership ports within the smallint the server stores them in', async () => {
    for (let i = 0; i < 20; i++) {
      const ports = await allocateTemporalPorts();
      const all = Object.values(ports);
      expect(new Set(all).size).toBe(11);
      for (const [name, port] of Object.entries(ports)) {
        expect(port, name).toBeGreaterThan(1023);
        if (name.endsWith('Membership')) expect(port, name).toBeLessThanOrEqual(MAX_MEMBERSHIP_PORT);
      }
    }
  });
});
