"""Every SQL statement of the hotspots: the computation's transaction (transaction), its
steps (compute_sql, summary_sql), stored runs (runs), reading for the API (read_sql) and
export rows (export_rows)."""
