import { DuckDBInstance } from '@duckdb/node-api';
import { rmSync } from 'node:fs';
const db = await (await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: process.env.MEM ?? '16GB', temp_directory: '/tmp/exp/spill' })).connect();
await db.run(`CREATE VIEW transactions AS SELECT * FROM read_parquet('/tmp/exp/tx/*/*.parquet', hive_partitioning=true)`);
await db.run(`CREATE VIEW user_profiles AS SELECT * FROM '/tmp/exp/profiles.parquet'`);
const which = process.argv[2];
const seg = `
WITH daily AS (
  SELECT user_id, day, count(*) AS n, sum(amount) AS s, max(event_time) AS m FROM transactions GROUP BY user_id, day
), changes AS (
  SELECT user_id, day AS ts, n, s, m FROM daily
  UNION ALL
  SELECT user_id, day + 30 AS ts, -n, -s, NULL FROM daily
), pts AS (
  SELECT user_id, ts, sum(n) AS n, sum(s) AS s, max(m) AS m FROM changes GROUP BY user_id, ts
), run AS (
  SELECT user_id, ts,
    sum(n) OVER w AS cnt, sum(s) OVER w AS spend, max(m) OVER w AS last_at,
    lead(ts, 1, DATE '2027-01-01') OVER (PARTITION BY user_id ORDER BY ts) AS next_at
  FROM pts WINDOW w AS (PARTITION BY user_id ORDER BY ts ROWS UNBOUNDED PRECEDING)
), days AS (
  SELECT user_id, CAST(unnest(generate_series(ts, next_at - 1, INTERVAL 1 DAY)) AS DATE) AS day, cnt, spend, last_at FROM run WHERE cnt > 0
)
SELECT d.day, d.user_id, CAST(cnt AS BIGINT) AS purchases_30d, spend AS spend_30d, last_at AS last_purchase_at, p.country, p.segment
FROM days d LEFT JOIN user_profiles p USING (user_id)
WHERE d.day <= DATE '2026-12-31'`;
const naive = `
SELECT k.day, t.user_id, count(*) AS purchases_30d, sum(t.amount) AS spend_30d, max(t.event_time) AS last_purchase_at, any_value(p.country) AS country, any_value(p.segment) AS segment
FROM (SELECT DISTINCT day FROM transactions) k JOIN transactions t ON t.day BETWEEN k.day - 29 AND k.day
LEFT JOIN user_profiles p USING (user_id) GROUP BY k.day, t.user_id`;
const q = which === 'naive' ? naive : seg;
rmSync('/tmp/exp/out', { recursive: true, force: true });
const t0 = Date.now();
if (process.argv[3] === 'count') console.log((await db.runAndReadAll(`SELECT count(*), sum(purchases_30d) FROM (${q})`)).getRows());
else await db.run(`COPY (${q}) TO '/tmp/exp/out' (FORMAT parquet, PARTITION_BY (day), COMPRESSION zstd)`);
console.log(which, (Date.now() - t0) / 1000, 's', 'rss', Math.round(process.memoryUsage().rss / 1e6));
