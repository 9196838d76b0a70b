-- Cheaper sale revisions, and fulfillments beside labels.

-- A new revision rewrites a sale's row (snapshot, EditSequence, hash) but none of its indexed
-- columns. With room left on the page the new row version stays there (a HOT update) and no
-- index entry is written; rows are ~1.5 KB, so half a page leaves room for the next revisions.
-- Applies to pages written from now on.
ALTER TABLE qb_sales SET (fillfactor = 50);

-- An event's tenant is its order's: the order's foreign key (and the tenant's cascade through
-- orders) already covers it, and checking both cost an index lookup per event.
ALTER TABLE events DROP CONSTRAINT events_tenant_id_fkey;

-- Orders marked shipped without a ShipStation label (markasshipped, or in the ShipStation UI)
-- come from /fulfillments, whose ids are their own sequence: they are recorded beside the
-- labels, keyed by kind and id.
ALTER TABLE shipments ADD COLUMN fulfillment boolean NOT NULL DEFAULT false;
ALTER TABLE shipments DROP CONSTRAINT shipments_connection_id_shipstation_shipment_id_key;
ALTER TABLE shipments ADD CONSTRAINT shipments_connection_kind_id_key
    UNIQUE (connection_id, fulfillment, shipstation_shipment_id);

-- The Web Connector's company-file check: which connection, across tenants, a FileID belongs
-- to (only whether it is another live one matters; nothing else is returned).
CREATE FUNCTION qbwc_file_connection(p_file_id uuid)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT connection_id FROM qbwc_credentials WHERE file_id = p_file_id
$$;
REVOKE ALL ON FUNCTION qbwc_file_connection(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION qbwc_file_connection(uuid) TO quayside_app;
