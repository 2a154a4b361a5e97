# delta-rs (Python `deltalake`) as the conformance oracle for Freshet's Delta tables.
#   read  URI OUT.parquet [VERSION]  -> prints {"version", "files", "rows"}; rows go to OUT.parquet
#   write URI                        -> writes the scenario below with delta-rs, prints {"version"}
#   count-where URI COL OP VALUE     -> rows delta-rs reads with that filter (file skipping by stats)
#   append URI                       -> appends two rows with delta-rs, prints {"version"}
#   write-types URI                  -> a table of every Delta type, edge values included, prints {"version"}
#   count-filters URI FILTERS        -> rows delta-rs reads per filter [col, op, value, kind], prints {"rows": [...]}
#   timestamp-files DIR              -> Parquet files with the same instants stored the ways other
#                                       writers store a Delta `timestamp`, prints {"files": [...]}
# Storage options (S3/MinIO) come as JSON in DELTA_STORAGE_OPTIONS, never on the command line.
import datetime
import decimal
import json
import os
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake

opts = json.loads(os.environ.get("DELTA_STORAGE_OPTIONS") or "{}") or None


def read(uri, out, version=None):
    dt = DeltaTable(uri, storage_options=opts, version=int(version) if version is not None else None)
    actions = pa.table(dt.get_add_actions(flatten=True))
    table = dt.to_pyarrow_table()
    pq.write_table(table, out)
    print(json.dumps({
        "version": dt.version(),
        "files": sorted(actions.column("path").to_pylist()),
        "rows": table.num_rows,
        "schema": json.loads(dt.schema().to_json()),
    }))


def count_where(uri, column, op, value):
    # delta-rs prunes files by their stats for a filtered read: wrong stats would lose rows here
    v = pd.Timestamp(value) if column == "ts" else json.loads(value)
    dt = DeltaTable(uri, storage_options=opts)
    print(json.dumps({"rows": pa.table(dt.to_pyarrow_table(filters=[(column, op, v)])).num_rows}))


def frame(rows, with_country=False):
    df = pd.DataFrame({
        "user_id": pd.array([r[0] for r in rows], dtype="int64"),
        "amount": [float(r[1]) for r in rows],
        "ts": pd.to_datetime([r[2] for r in rows], utc=True),
        "date": [r[3] for r in rows],
    })
    if with_country:
        df["country"] = [r[4] for r in rows]
    return df


def write(uri):
    kw = dict(partition_by=["date"], storage_options=opts)
    write_deltalake(uri, frame([(1, 10, "2024-01-01 10:00", "2024-01-01"), (2, 20, "2024-01-01 11:00", "2024-01-02")]), **kw)
    for i in range(3, 8):
        write_deltalake(uri, frame([(i, i * 1.5, "2024-01-02 09:30", f"2024-01-0{i % 3 + 1}")]), mode="append", **kw)
    # replace one partition only
    write_deltalake(uri, frame([(100, 1.0, "2024-01-03 00:00", "2024-01-01")]), mode="overwrite",
                    predicate="date = '2024-01-01'", **kw)
    DeltaTable(uri, storage_options=opts).create_checkpoint()
    # schema evolution after the checkpoint: a new nullable column
    write_deltalake(uri, frame([(200, 2.0, "2024-01-04 00:00", "2024-01-04", "NL")], with_country=True),
                    mode="append", schema_mode="merge", **kw)
    write_deltalake(uri, frame([(201, 3.0, "2024-01-04 01:00", "2024-01-02", None)], with_country=True),
                    mode="append", **kw)
    print(json.dumps({"version": DeltaTable(uri, storage_options=opts).version()}))


def append(uri):
    # delta-rs appending to a table someone else (Freshet) wrote
    write_deltalake(uri, frame([(300, 4.5, "2024-01-07 00:00", "2024-01-07", "BE"), (301, 5.5, "2024-01-07 00:30", "2024-01-01", None)],
                               with_country=True), mode="append", partition_by=["date"], storage_options=opts)
    print(json.dumps({"version": DeltaTable(uri, storage_options=opts).version()}))


def write_types(uri):
    # Every Delta type delta-rs writes, each at its edges: min/max, NaN and infinities, 38 digits,
    # year 1 and 9999, empty strings and bytes, nulls, and nested types holding them.
    utc = datetime.timezone.utc
    D = decimal.Decimal
    big, neg_big = D(10**38 - 1), D(-(10**38 - 1))  # from ints: Decimal arithmetic would round to 28 digits
    ts_min, ts_max = datetime.datetime(1, 1, 1), datetime.datetime(9999, 12, 31, 23, 59, 59, 999999)
    item = pa.struct([("a", pa.int32()), ("b c", pa.string())])
    table = pa.table({
        "byte": pa.array([-128, 127, 0, None], pa.int8()),
        "short": pa.array([-32768, 32767, 0, None], pa.int16()),
        "integer": pa.array([-2**31, 2**31 - 1, 0, None], pa.int32()),
        "long": pa.array([-2**63, 2**63 - 1, 0, None], pa.int64()),
        "float": pa.array([float("-inf"), float("inf"), float("nan"), None], pa.float32()),
        "double": pa.array([-1.7976931348623157e308, 1.7976931348623157e308, float("nan"), None], pa.float64()),
        "dec38": pa.array([neg_big, big, D(0), None], pa.decimal128(38, 0)),
        "dec10": pa.array([D("-99999999.99"), D("99999999.99"), D("0.01"), None], pa.decimal128(10, 2)),
        "string": pa.array(["", "é 🦆 \"'", "x", None]),
        "binary": pa.array([b"", b"\x00\xff", b"x", None], pa.binary()),
        "boolean": pa.array([False, True, True, None]),
        "date": pa.array([datetime.date(1, 1, 1), datetime.date(9999, 12, 31), datetime.date(2024, 2, 29), None], pa.date32()),
        "timestamp": pa.array([ts_min.replace(tzinfo=utc), ts_max.replace(tzinfo=utc), datetime.datetime(2024, 1, 1, 12, 0, 0, 1, tzinfo=utc), None], pa.timestamp("us", tz="UTC")),
        "timestamp_ntz": pa.array([ts_min, ts_max, datetime.datetime(2024, 1, 1, 12, 0, 0, 1), None], pa.timestamp("us")),
        "array": pa.array([[], [1, None, 2**63 - 1], None, None], pa.list_(pa.int64())),
        "struct": pa.array([{"a": None, "b c": ""}, {"a": 2**31 - 1, "b c": "z"}, None, None], item),
        "map": pa.array([[], [("k", 1.5), ("", None)], None, None], pa.map_(pa.string(), pa.float64())),
        "nested": pa.array([[{"a": 1, "b c": "x"}], [], None, None], pa.list_(item)),
    })
    write_deltalake(uri, table, storage_options=opts)
    print(json.dumps({"version": DeltaTable(uri, storage_options=opts).version()}))


def count_filters(uri, filters):
    # one delta-rs filtered read per [column, op, value, kind]; delta-rs skips files by their stats
    kinds = {
        "ts": lambda v: pd.Timestamp(v),
        "datetime": lambda v: datetime.datetime.fromisoformat(v.replace("Z", "+00:00")),
        "int": lambda v: int(v),
        "date": lambda v: datetime.date.fromisoformat(v),
        "dec": lambda v: decimal.Decimal(v),
        "json": lambda v: v,
    }
    dt = DeltaTable(uri, storage_options=opts)
    counts = [pa.table(dt.to_pyarrow_table(filters=[(c, op, kinds[k](v))])).num_rows for c, op, v, k in json.loads(filters)]
    print(json.dumps({"rows": counts}))
# UTC wall times: a DST gap and a repeated hour in America/Los_Angeles, a fraction, before 1970
INSTANTS = ["2024-03-10 02:30:00", "2024-11-03 01:30:00.5", "2024-03-10 10:30:00.123456", "1969-12-31 23:59:59.999999"]


def timestamp_files(out):
    # Spark's INT96 (legacy default), zone-less INT64 (isAdjustedToUTC=false, as some writers do),
    # UTC-adjusted micros (the protocol's way) and millis: each must read as the same UTC instants.
    utc = pd.to_datetime(INSTANTS, utc=True, format="ISO8601")
    naive = pd.to_datetime(INSTANTS, format="ISO8601")
    kinds = {
        "int96": (pa.array(naive, pa.timestamp("ns")), dict(use_deprecated_int96_timestamps=True)),
        "naive-us": (pa.array(naive, pa.timestamp("us")), {}),
        "utc-us": (pa.array(utc, pa.timestamp("us", tz="UTC")), {}),
        "naive-ms": (pa.array(naive.floor("ms"), pa.timestamp("ms")), dict(coerce_timestamps="ms", allow_truncated_timestamps=True)),
    }
    files = []
    for i, (kind, (ts, kw)) in enumerate(kinds.items()):
        ids = pa.array([i * 10 + k for k in range(len(INSTANTS))], pa.int64())
        path = os.path.join(out, f"{kind}.parquet")
        pq.write_table(pa.table({"id": ids, "ts": ts}), path, **kw)
        files.append({"kind": kind, "path": path, "rows": len(INSTANTS)})
    print(json.dumps({"files": files}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "read":
        read(*sys.argv[2:])
    elif cmd == "write":
        write(sys.argv[2])
    elif cmd == "count-where":
        count_where(*sys.argv[2:])
    elif cmd == "append":
        append(sys.argv[2])
    elif cmd == "write-types":
        write_types(sys.argv[2])
    elif cmd == "count-filters":
        count_filters(sys.argv[2], sys.argv[3])
    elif cmd == "timestamp-files":
        timestamp_files(sys.argv[2])
    else:
        raise SystemExit(f"unknown command {cmd}")
    # Skip interpreter teardown: delta-rs' runtime threads can abort the process while it unwinds
    # ("terminate called without an active exception") after the work is done and printed.
    sys.stdout.flush()
    os._exit(0)
