-- Cheaper order revisions.
--
-- Every new revision of a sale rewrites its order (pending again, request time, updated_at).
-- Two indexes held columns that change with every such write, so no order update was ever HOT:
-- each wrote a new entry into all six of the table's indexes. Neither needs those columns:
--
-- * The orders list shows the newest orders first: by when the sale first arrived
--   (`created_at`, which never changes), so an order keeps its place when its sale is edited.
-- * The sweeper's index keeps only which orders are pending (the predicate); it reads their
--   request time from the rows. Pending orders are few (the workers push them within seconds),
--   and the index stays as small as it was.
--
-- A revision of an order still pending then changes no indexed column and stays on its page
-- (`fillfactor` leaves the room for it on pages written from now on). Measured in
-- docs/benchmarks.md (2026-12-02, later). Building the indexes holds a SHARE lock on orders
-- (writes wait) for the few seconds a build takes.
DROP INDEX orders_list_idx;
CREATE INDEX orders_list_idx ON orders (connection_id, created_at DESC, id DESC);
DROP INDEX orders_pending_idx;
CREATE INDEX orders_pending_idx ON orders (id) WHERE status = 'pending';
ALTER TABLE orders SET (fillfactor = 70);
