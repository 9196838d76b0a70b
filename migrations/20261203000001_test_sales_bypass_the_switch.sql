-- A test sale is sent to ShipStation whatever the filters say, the on/off switch included.
--
-- The store already made a test sale's order pending regardless of the settings; the push
-- job then skipped it when sending was switched off, so a merchant could not try a sale
-- before turning the sync on. The order now carries why it is pending: `test_sale` is set
-- when a test-sale fetch made it pending and cleared by any other revision (or a resend),
-- and the push job lets such an order through the switch. Not indexed: a revision stays HOT.
ALTER TABLE orders ADD COLUMN test_sale boolean NOT NULL DEFAULT false;

-- As in 20261201000001, with `test_sale` written by the order upsert.
CREATE OR REPLACE FUNCTION qbwc_store_response(
    p_tenant uuid, p_connection uuid, p_replayable boolean, p_forced boolean,
    p_ids uuid[], p_types text[], p_txn_ids text[], p_edit_sequences text[], p_ref_numbers text[],
    p_txn_dates date[], p_time_modified text[], p_customer_names text[], p_customer_list_ids text[],
    p_snapshots text[], p_hashes bytea[], p_labels text[], p_skip_reasons text[],
    p_order_ids uuid[], p_order_keys text[],
    p_customer_ids text[], p_customer_snapshots text[],
    p_watermark_type text, p_watermark text,
    p_run uuid, p_sales_received integer, p_requests_sent integer, p_error text, p_status text
)
RETURNS TABLE (out_n bigint, out_sale_id uuid, out_order_id uuid, out_outcome text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    IF p_replayable THEN
        -- What QuickBooks can give again: the watermark moves in this same transaction, so a
        -- commit lost to a crash is read again by the next session.
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;

    IF coalesce(cardinality(p_txn_ids), 0) > 0 THEN
        RETURN QUERY
        WITH sales_in AS (
            SELECT * FROM unnest(p_ids, p_types, p_txn_ids, p_edit_sequences, p_ref_numbers, p_txn_dates,
                    p_time_modified, p_customer_names, p_customer_list_ids, p_snapshots, p_hashes, p_labels,
                    p_skip_reasons, p_order_ids, p_order_keys)
                WITH ORDINALITY AS u(id, txn_type, txn_id, edit_sequence, ref_number, txn_date, time_modified,
                    customer_name, customer_list_id, snapshot, content_hash, label, skip_reason, order_id,
                    order_key, n)
        ),
        -- The stored revisions, locked until commit.
        prev AS MATERIALIZED (
            SELECT s.id, s.txn_type, s.txn_id, s.content_hash, s.revision, s.edit_sequence
            FROM qb_sales s JOIN sales_in u ON s.txn_type = u.txn_type AND s.txn_id = u.txn_id
            WHERE s.connection_id = p_connection
            FOR UPDATE OF s
        ),
        decided AS MATERIALIZED (
            SELECT u.*, p.id AS prev_id, p.id IS NULL AS is_new,
                (p.id IS NOT NULL AND p.content_hash <> u.content_hash
                    AND p.edit_sequence <> u.edit_sequence) AS changed,
                CASE WHEN p.id IS NULL THEN 1
                     WHEN p.content_hash <> u.content_hash AND p.edit_sequence <> u.edit_sequence THEN p.revision + 1
                     ELSE p.revision END AS revision
            FROM sales_in u LEFT JOIN prev p ON p.txn_type = u.txn_type AND p.txn_id = u.txn_id
        ),
        s AS (
            INSERT INTO qb_sales (id, tenant_id, connection_id, txn_type, txn_id, edit_sequence, ref_number,
                txn_date, time_modified, customer_name, customer_list_id, snapshot, content_hash, revision)
            SELECT d.id, p_tenant, p_connection, d.txn_type, d.txn_id, d.edit_sequence, d.ref_number, d.txn_date,
                d.time_modified, d.customer_name, d.customer_list_id, d.snapshot::json, d.content_hash, d.revision
            FROM decided d
            ON CONFLICT (connection_id, txn_type, txn_id) DO UPDATE SET
                edit_sequence = EXCLUDED.edit_sequence, time_modified = EXCLUDED.time_modified,
                ref_number = EXCLUDED.ref_number, txn_date = EXCLUDED.txn_date,
                customer_name = EXCLUDED.customer_name, customer_list_id = EXCLUDED.customer_list_id,
                snapshot = EXCLUDED.snapshot, content_hash = EXCLUDED.content_hash,
                revision = EXCLUDED.revision, updated_at = now()
            -- The same revision read again (the watermark overlap) writes nothing.
            WHERE (qb_sales.edit_sequence, qb_sales.time_modified, qb_sales.content_hash, qb_sales.revision)
                IS DISTINCT FROM (EXCLUDED.edit_sequence, EXCLUDED.time_modified, EXCLUDED.content_hash, EXCLUDED.revision)
            RETURNING qb_sales.id, qb_sales.txn_type, qb_sales.txn_id
        ),
        stored AS MATERIALIZED (
            SELECT d.*, coalesce(s.id, d.prev_id) AS sale_id, (d.is_new OR d.changed OR p_forced) AS intent
            FROM decided d LEFT JOIN s ON s.txn_type = d.txn_type AND s.txn_id = d.txn_id
        ),
        o AS (
            INSERT INTO orders (id, tenant_id, connection_id, sale_id, status, order_key, push_requested_at,
                skip_reason, test_sale)
            SELECT i.order_id, p_tenant, p_connection, i.sale_id,
                CASE WHEN i.skip_reason IS NULL THEN 'pending' ELSE 'skipped' END,
                i.order_key, now(), i.skip_reason, p_forced
            FROM stored i WHERE i.intent
            ON CONFLICT (sale_id) DO UPDATE SET
                status = EXCLUDED.status, skip_reason = EXCLUDED.skip_reason, test_sale = EXCLUDED.test_sale,
                push_requested_at = now(), last_error = NULL, attempts = 0, updated_at = now()
            -- Shipped (or written back): ShipStation keeps the shipped order as it is.
            WHERE orders.status NOT IN ('shipped', 'written_back', 'write_back_failed')
            RETURNING orders.id, orders.sale_id
        ),
        locked AS (
            SELECT i.n, i.label, x.id AS order_id
            FROM stored i JOIN orders x ON x.sale_id = i.sale_id
            WHERE i.intent AND NOT EXISTS (SELECT 1 FROM o WHERE o.sale_id = i.sale_id)
        ),
        ev_rows AS (
            SELECT i.n, 1 AS k, o.id AS order_id, 'received'::text AS kind,
                CASE WHEN p_forced THEN i.label || ' fetched from QuickBooks as a test sale.'
                     WHEN i.is_new THEN i.label || ' received from QuickBooks.'
                     ELSE i.label || ' changed in QuickBooks (revision ' || i.revision || ').' END AS message
            FROM stored i JOIN o ON o.sale_id = i.sale_id
            UNION ALL
            SELECT i.n, 2, o.id, 'skipped', 'Not sent to ShipStation: ' || i.skip_reason
            FROM stored i JOIN o ON o.sale_id = i.sale_id WHERE i.skip_reason IS NOT NULL
            UNION ALL
            SELECT l.n, 3, l.order_id, 'locked',
                l.label || ' changed in QuickBooks after it shipped; ShipStation keeps the shipped order as it is.'
            FROM locked l
        ),
        ev AS (
            INSERT INTO events (tenant_id, order_id, kind, message)
            SELECT p_tenant, e.order_id, e.kind, e.message FROM ev_rows e ORDER BY e.n, e.k
        )
        SELECT st.n, st.sale_id, coalesce(o.id, l.order_id),
            CASE WHEN NOT st.intent THEN 'unchanged'
                 WHEN o.id IS NULL THEN 'locked'
                 WHEN st.skip_reason IS NOT NULL THEN 'skipped'
                 WHEN st.is_new THEN 'new'
                 ELSE 'changed' END
        FROM stored st LEFT JOIN o ON o.sale_id = st.sale_id LEFT JOIN locked l ON l.n = st.n
        ORDER BY st.n;
    END IF;

    -- The customers, a finished iterator's watermark and the run's progress, after the sales.
    WITH customers AS (
        INSERT INTO qb_customers (connection_id, tenant_id, list_id, snapshot)
        SELECT p_connection, p_tenant, c.list_id, c.snapshot::jsonb
        FROM unnest(p_customer_ids, p_customer_snapshots) AS c(list_id, snapshot)
        ON CONFLICT (connection_id, list_id) DO UPDATE SET snapshot = EXCLUDED.snapshot, updated_at = now()
        WHERE qb_customers.snapshot IS DISTINCT FROM EXCLUDED.snapshot
    ),
    watermark AS (
        INSERT INTO sync_watermarks (connection_id, tenant_id, txn_type, modified_from)
        SELECT p_connection, p_tenant, p_watermark_type, p_watermark WHERE p_watermark_type IS NOT NULL
        ON CONFLICT (connection_id, txn_type) DO UPDATE SET modified_from = EXCLUDED.modified_from, updated_at = now()
    )
    UPDATE sync_runs SET
        sales_received = p_sales_received, requests_sent = p_requests_sent,
        error = coalesce(p_error, sync_runs.error),
        status = coalesce(p_status, sync_runs.status),
        ended_at = CASE WHEN p_status IS NULL THEN sync_runs.ended_at ELSE now() END
    WHERE sync_runs.id = p_run;
END
$$;
