-- Hardening found in a security review.
--
-- 1. The SECURITY DEFINER functions run as their owner (the migrating role) and had
--    `search_path = public`. Without `pg_temp` named last, Postgres searches the session's
--    temporary schema first for tables, so a temporary table called `users` or
--    `qbwc_credentials` on a pooled connection could stand in for the real one inside them.
--    Naming `pg_temp` last closes that; the app role also loses the right to make temporary
--    tables, which it never needs.
-- 2. `connections.webhook_token` (plain text) was superseded by `webhook_token_hash` and is
--    never read or written; a plain-text token column should not exist at all.
ALTER FUNCTION auth_find_user(text) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION auth_refresh_token_tenant(bytea) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION connection_tenant(uuid) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION active_connections() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION stale_pending_orders(interval, integer) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION qbwc_find_credential(text) SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION qbwc_file_connection(uuid) SET search_path = pg_catalog, public, pg_temp;

DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;

ALTER TABLE connections DROP COLUMN IF EXISTS webhook_token;
