# The raw-Spark baseline of `bench/batch.ts --engine spark`: the rolling asset's per-day SQL over
# the same Delta tables, written as Delta with plain Spark (no Freshet: no pinned versions, no
# txn, no lineage, no replaceWhere; each day appended to a new table partitioned by day), in ONE
# Spark application. Run by the same spark-submit, master, conf and jars as Freshet's driver.
#   spark-submit spark-raw.py <job.json>
#   job: {"transactions": path, "user_profiles": path, "output": path, "sql": str, "lookback": 30, "days": [...]}
# Prints `RAW_RESULT {"session_s", "compute_s", "rows"}`: session_s is the SparkSession's start
# (JVM already up), compute_s the days' reads, SQL and writes.
import datetime
import json
import sys
import time

from pyspark.sql import SparkSession, functions as F


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    t0 = time.time()
    spark = SparkSession.builder.appName("freshet-bench:raw-spark").getOrCreate()
    t1 = time.time()
    transactions = spark.read.format("delta").load(job["transactions"])
    spark.read.format("delta").load(job["user_profiles"]).createOrReplaceTempView("user_profiles")
    for key in job["days"]:
        day = datetime.date.fromisoformat(key)
        first = day - datetime.timedelta(days=job["lookback"] - 1)
        transactions.where(F.col("day").between(first, day)).createOrReplaceTempView("transactions")
        out = spark.sql(job["sql"]).withColumn("day", F.lit(day))
        out.write.format("delta").mode("append").partitionBy("day").save(job["output"])
        print(f"RAW_DAY {key} {time.time() - t1:.1f}", flush=True)
    t2 = time.time()
    rows = spark.read.format("delta").load(job["output"]).count()
    print("RAW_RESULT " + json.dumps({"session_s": t1 - t0, "compute_s": t2 - t1, "rows": rows}), flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
