// One profile per synthetic user; unpartitioned, so every run replaces the whole table.
import { source } from '../core/index.ts';
import { syntheticConfig } from './config.ts';

export const userProfiles = source({
  name: 'user_profiles',
  description: 'User profiles: country, signup date and segment (synthetic).',
  sql: `
    SELECT
      CAST(i AS BIGINT)                                                          AS user_id,
      ['US', 'DE', 'FR', 'BR', 'IN', 'JP'][CAST(hash(i, 'country') % 6 AS INTEGER) + 1] AS country,
      DATE '2024-01-01' + CAST(hash(i, 'signup') % 700 AS INTEGER)               AS signup_date,
      ['new', 'regular', 'vip'][CAST(hash(i, 'segment') % 3 AS INTEGER) + 1]      AS segment
    FROM range(1, ${syntheticConfig.users} + 1) AS r(i)`,
});
