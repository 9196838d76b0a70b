-- Sync: Web Connector credentials, settings, rules, QuickBooks sales and customers, orders,
-- shipments, write-backs, sync runs and the per-order event history. All tenant-owned.

CREATE TABLE qbwc_credentials (
    connection_id  uuid PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    tenant_id      uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    username       text NOT NULL UNIQUE,
    password_hash  bytea NOT NULL,
    owner_id       uuid NOT NULL,
    file_id        uuid NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    rotated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sync_settings (
    connection_id  uuid PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
    tenant_id      uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    settings       jsonb NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Where each transaction type's iterator starts next time (QuickBooks' own TimeModified text).
CREATE TABLE sync_watermarks (
    connection_id  uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    tenant_id      uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    txn_type       text NOT NULL,
    modified_from  text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, txn_type)
);

CREATE TABLE test_sale_requests (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    connection_id  uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    ref_number     text NOT NULL,
    requested_at   timestamptz NOT NULL DEFAULT now(),
    fetched_at     timestamptz
);
CREATE INDEX test_sale_requests_open_idx ON test_sale_requests (connection_id) WHERE fetched_at IS NULL;

CREATE TABLE rules (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    connection_id  uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    name           text NOT NULL,
    enabled        boolean NOT NULL DEFAULT true,
    priority       integer NOT NULL DEFAULT 0,
    conditions     jsonb NOT NULL DEFAULT '[]',
    actions        jsonb NOT NULL DEFAULT '[]',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rules_connection_idx ON rules (connection_id, priority);

CREATE TABLE qb_customers (
    connection_id  uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    tenant_id      uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    list_id        text NOT NULL,
    snapshot       jsonb NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, list_id)
);

CREATE TABLE qb_sales (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    connection_id   uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    txn_type        text NOT NULL,
    txn_id          text NOT NULL,
    edit_sequence   text NOT NULL,
    ref_number      text,
    txn_date        date,
    time_modified   text NOT NULL,
    customer_name   text,
    customer_list_id text,
    snapshot        jsonb NOT NULL,
    content_hash    bytea NOT NULL,
    revision        integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (connection_id, txn_type, txn_id)
);
CREATE INDEX qb_sales_ref_idx ON qb_sales (connection_id, ref_number);

-- An order: one per sale, the intent to have it in ShipStation and its state since.
CREATE TABLE orders (
    id                    uuid PRIMARY KEY,
    tenant_id             uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    connection_id         uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    sale_id               uuid NOT NULL UNIQUE REFERENCES qb_sales(id) ON DELETE CASCADE,
    status                text NOT NULL,
    order_key             text NOT NULL,
    shipstation_order_id  bigint,
    shipstation_status    text,
    store_id              bigint,
    pushed_hash           bytea,
    push_requested_at     timestamptz,
    attempts              integer NOT NULL DEFAULT 0,
    last_error            text,
    skip_reason           text,
    tracking_numbers      text[] NOT NULL DEFAULT '{}',
    shipping_cost         numeric(12, 2),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (connection_id, order_key)
);
CREATE INDEX orders_list_idx ON orders (connection_id, updated_at DESC);
CREATE INDEX orders_pending_idx ON orders (push_requested_at) WHERE status = 'pending';
CREATE INDEX orders_ss_id_idx ON orders (connection_id, shipstation_order_id);

CREATE TABLE shipments (
    id                      uuid PRIMARY KEY,
    tenant_id               uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    connection_id           uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    order_id                uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    shipstation_shipment_id bigint NOT NULL,
    tracking_number         text,
    carrier_code            text,
    service_code            text,
    ship_date               date,
    cost                    numeric(12, 2),
    voided                  boolean NOT NULL DEFAULT false,
    void_date               timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (connection_id, shipstation_shipment_id)
);
CREATE INDEX shipments_order_idx ON shipments (order_id);

CREATE TABLE write_backs (
    id                uuid PRIMARY KEY,
    tenant_id         uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    connection_id     uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    order_id          uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    status            text NOT NULL,
    add_tracking      text[] NOT NULL DEFAULT '{}',
    remove_tracking   text[] NOT NULL DEFAULT '{}',
    ship_date         date,
    shipping_cost     numeric(12, 2),
    attempts          integer NOT NULL DEFAULT 0,
    last_error        text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX write_backs_due_idx ON write_backs (connection_id, created_at) WHERE status = 'pending';

CREATE TABLE sync_runs (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    connection_id   uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    started_at      timestamptz NOT NULL DEFAULT now(),
    ended_at        timestamptz,
    status          text NOT NULL,
    sales_received  integer NOT NULL DEFAULT 0,
    requests_sent   integer NOT NULL DEFAULT 0,
    error           text
);
CREATE INDEX sync_runs_connection_idx ON sync_runs (connection_id, started_at DESC);

CREATE TABLE events (
    id          bigserial PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    order_id    uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    kind        text NOT NULL,
    message     text NOT NULL
);
CREATE INDEX events_order_idx ON events (order_id, id);

ALTER TABLE connections ADD COLUMN shipments_watermark timestamptz;
ALTER TABLE connections ADD COLUMN webhook_token text;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['qbwc_credentials', 'sync_settings', 'sync_watermarks',
        'test_sale_requests', 'rules', 'qb_customers', 'qb_sales', 'orders', 'shipments',
        'write_backs', 'sync_runs', 'events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO quayside_app', t);
    END LOOP;
END
$$;
GRANT USAGE ON SEQUENCE events_id_seq TO quayside_app;

-- Web Connector authenticate: the credential of a username, across tenants.
CREATE FUNCTION qbwc_find_credential(p_username text)
RETURNS TABLE (tenant_id uuid, connection_id uuid, password_hash bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT q.tenant_id, q.connection_id, q.password_hash
    FROM qbwc_credentials q JOIN connections c ON c.id = q.connection_id
    WHERE q.username = p_username
$$;

-- The sweeper: orders pending longer than the given age, across tenants.
CREATE FUNCTION stale_pending_orders(p_older_than interval, p_limit integer)
RETURNS TABLE (tenant_id uuid, connection_id uuid, order_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT tenant_id, connection_id, id FROM orders
    WHERE status = 'pending' AND push_requested_at < now() - p_older_than
    ORDER BY push_requested_at
    LIMIT p_limit
$$;

REVOKE ALL ON FUNCTION qbwc_find_credential(text), stale_pending_orders(interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION qbwc_find_credential(text), stale_pending_orders(interval, integer) TO quayside_app;
