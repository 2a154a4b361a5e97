// Size of the synthetic data set, from the environment so tests and benchmarks can scale it.
export const syntheticConfig = {
  /** transactions generated per day */
  rowsPerDay: Number(process.env.FRESHET_ROWS_PER_DAY ?? 2_000),
  /** distinct users, each with one profile */
  users: Number(process.env.FRESHET_USERS ?? 500),
  /** first day of data */
  startDate: process.env.FRESHET_START_DATE ?? '2026-01-01',
};
