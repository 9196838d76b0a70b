-- Cheaper Web Connector sessions: lookups that stay fast as history grows, and a credential
-- lookup whose plan is cached.

-- authenticate closes the connection's abandoned runs; without this it scanned every run the
-- connection ever had.
CREATE INDEX sync_runs_running_idx ON sync_runs (connection_id) WHERE status = 'running';

-- Due write-backs are pending or sent (a session that never answered); the old index covered
-- pending only.
DROP INDEX write_backs_due_idx;
CREATE INDEX write_backs_due_idx ON write_backs (connection_id, created_at)
    WHERE status IN ('pending', 'sent');

-- A SQL function with a SET clause is planned on every call; PL/pgSQL caches the plan per
-- connection. Same signature, owner, grants and security.
CREATE OR REPLACE FUNCTION qbwc_find_credential(p_username text)
RETURNS TABLE (tenant_id uuid, connection_id uuid, password_hash bytea)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
BEGIN
    RETURN QUERY
    SELECT q.tenant_id, q.connection_id, q.password_hash
    FROM qbwc_credentials q JOIN connections c ON c.id = q.connection_id
    WHERE q.username = p_username;
END
$$;

