-- A second database on the same server for Prefect's own state; sld's results live in `sld`.
CREATE DATABASE prefect OWNER sld;
