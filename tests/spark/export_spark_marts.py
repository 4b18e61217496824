"""Write marts of a Spark build to Parquet, one folder per mart, for the parity test to read.

Run with the Spark venv's Python after `dbt build --target spark` has ended (its embedded
metastore admits one Spark session at a time):

    python export_spark_marts.py SPARK_DIR OUT_DIR MART [MART ...]

SPARK_DIR is the build's STRATA_SPARK_DIR (profiles/profiles.yml: the warehouse and the metastore
live under it). A mart the build did not create is left out; the test reports it. Timestamps are
written as microseconds since the epoch in UTC, which DuckDB reads without a zone conversion.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pyspark.sql import SparkSession


def spark_session(spark_dir: Path) -> SparkSession:
    """A local session on the build's warehouse and metastore (the settings of the spark profile)."""
    return (
        SparkSession.builder.master("local[2]")
        .appName("strata-parity-export")
        .enableHiveSupport()
        .config("spark.sql.warehouse.dir", str(spark_dir / "warehouse"))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_dir / 'derby'}")
        .config("spark.local.dir", str(spark_dir / "scratch"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def main(spark_dir: str, out_dir: str, *marts: str) -> int:
    spark = spark_session(Path(spark_dir))
    spark.sparkContext.setLogLevel("ERROR")
    # The marts, and the restricted database of clear-text contacts (audience_contacts).
    built = {
        row.tableName: schema
        for schema in ("restricted", "marts")
        for row in spark.sql(f"show tables in {schema}").collect()
    }
    for mart in marts:
        if mart in built:
            spark.table(f"{built[mart]}.{mart}").coalesce(1).write.mode("overwrite").parquet(str(Path(out_dir) / mart))
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
