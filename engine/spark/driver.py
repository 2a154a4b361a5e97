# Freshet's Spark driver: computes partitions of one asset with Spark SQL and commits each with
# Delta's own Spark writer. Run by `spark-submit driver.py <job.json>` (engine/spark/submit.ts).
#
# For each partition of the job: every upstream is a temp view named after it, read at exactly the
# version Freshet planned (versionAsOf) and restricted to the partition values the mapping needs;
# the asset's SQL runs over them; the result replaces exactly the output partition (replaceWhere)
# in one commit carrying txn (txnAppId/txnVersion: a retried attempt writes nothing twice) and
# Freshet's lineage in userMetadata (the input versions staleness reads).
#
# Speaks to Freshet through stdout lines: `FRESHET_APP <application id>` once, then one
# `FRESHET_RESULT <json>` per partition, or `FRESHET_ERROR <json>` before a non-zero exit.
import datetime
import json
import os
import sys
import threading
import time
import traceback

from pyspark.sql import SparkSession, functions as F


def emit(tag, payload):
    sys.stdout.write(f"{tag} {payload}\n")
    sys.stdout.flush()


def typed(kind, value):
    """A partition value (as Freshet stores it in partitionValues) as the Python value Spark types right."""
    if value is None:
        return None
    if kind == "date":
        return datetime.date.fromisoformat(value)
    if kind == "timestamp":
        return datetime.datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=datetime.timezone.utc)
    return value


def sql_literal(kind, value):
    """The same value as a Spark SQL literal, for replaceWhere."""
    quoted = "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if kind == "date":
        return "DATE " + quoted
    if kind == "timestamp":
        return "TIMESTAMP " + quoted
    return quoted


def proc_state(pid):
    """(state, start time in clock ticks) from Linux /proc; None when the process is not there
    (or there is no /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            # the command name (field 2) may hold spaces and parentheses: count from the last ')'
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], fields[19]
    except (OSError, IndexError):
        return None


def parent_gone(pid, first):
    if first is None:  # no /proc: the signal probe alone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
        return False
    now = proc_state(pid)
    # a zombie not yet reaped is dead too; another start time is a new process with the same pid
    return now is None or now[0] in ("Z", "X") or now[1] != first[1]


def watch_parent(pid, interval=1.0):
    """The worker that started this job died (kill -9): stop, so no orphan keeps computing."""
    first = proc_state(pid)
    while True:
        time.sleep(interval)
        if parent_gone(pid, first):
            sys.stderr.write(f"freshet: the worker (pid {pid}) is gone; stopping the Spark application\n")
            sys.stderr.flush()
            os._exit(3)


def committed_version(spark, path, metadata):
    """The table version whose commit carries exactly our userMetadata, with its metrics; None when
    the writer skipped the write (a txn at this version or newer was already in the table)."""
    from delta.tables import DeltaTable

    for row in DeltaTable.forPath(spark, path).history(20).collect():
        if row["userMetadata"] == metadata:
            return row["version"], row["operationMetrics"] or {}
    return None, {}


def load_inputs(spark, job):
    """Every upstream at the version Freshet planned, loaded once per application (the version is
    the same for all partitions of the job) instead of once per partition: resolving a Delta
    snapshot per partition made the 16-partition benchmark 1.56x raw Spark, 0.93x and 1.16x after."""
    return {
        source["name"]: spark.read.format("delta").option("versionAsOf", source["version"]).load(source["path"])
        for source in job["inputs"]
    }


def run_partition(spark, job, part, tables):
    started = time.time()
    for source in job["inputs"]:
        df = tables[source["name"]]
        values = part["inputs"].get(source["name"])
        if values is not None:
            df = df.where(F.col(source["column"]).isin([typed(source["type"], v) for v in values]))
        df.createOrReplaceTempView(source["name"])
    out = spark.sql(part["sql"])
    output = job["output"]
    column = output["column"]
    if column is not None:
        if column in out.columns:
            raise ValueError(
                f"{part['owner']}: the SQL returns the partition column '{column}'; leave it out, Freshet adds it from the partition key."
            )
        out = out.withColumn(column, F.lit(typed(output["type"], part["value"])))
    lineage = dict(part["lineage"])
    lineage["sparkApplicationId"] = spark.sparkContext.applicationId
    metadata = json.dumps({"freshet": lineage}, separators=(",", ":"), sort_keys=True)
    writer = out.write.format("delta").mode("overwrite").option("userMetadata", metadata)
    if part["txnVersion"] is not None:
        writer = writer.option("txnAppId", part["appId"]).option("txnVersion", str(part["txnVersion"]))
    if column is not None:
        writer = writer.partitionBy(column).option("replaceWhere", f"`{column}` = {sql_literal(output['type'], part['value'])}")
    writer.save(output["path"])
    version, metrics = committed_version(spark, output["path"], metadata)
    emit(
        "FRESHET_RESULT",
        json.dumps(
            {
                "key": part["key"],
                "version": version,
                "alreadyCommitted": version is None,
                "rows": int(metrics.get("numOutputRows", 0)),
                "bytes": int(metrics.get("numOutputBytes", 0)),
                "durationMs": int((time.time() - started) * 1000),
            }
        ),
    )


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    if job.get("parentPid"):
        threading.Thread(target=watch_parent, args=(job["parentPid"],), daemon=True).start()
    spark = SparkSession.builder.appName(job["appName"]).getOrCreate()
    emit("FRESHET_APP", spark.sparkContext.applicationId)
    try:
        tables = load_inputs(spark, job)
        for part in job["partitions"]:
            run_partition(spark, job, part, tables)
    except Exception as e:  # noqa: BLE001 - reported to Freshet, then a non-zero exit
        traceback.print_exc()
        emit("FRESHET_ERROR", json.dumps({"type": type(e).__name__, "message": str(e).strip()[:4000]}))
        spark.stop()
        sys.exit(1)
    spark.stop()


if __name__ == "__main__":
    main()
