-- Platform: tenants, users, refresh tokens, connections, with row-level security.
--
-- The api and worker run every query as the role `quayside_app` (the pool does `SET ROLE`),
-- which owns nothing, so the policies below always apply to it. Lookups that must cross
-- tenants (login by email, refresh by token hash, Web Connector authenticate, webhooks,
-- schedulers) go through the SECURITY DEFINER functions at the end, each returning the
-- minimum needed to open a tenant-scoped transaction.

DO $$
BEGIN
    CREATE ROLE quayside_app NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END
$$;

-- The tenant id of the current transaction, or NULL (then every policy matches nothing).
CREATE OR REPLACE FUNCTION app_tenant_id() RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('app.tenant_id', true), '')::uuid
$$;

CREATE TABLE tenants (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email          text NOT NULL,
    password_hash  text NOT NULL,
    role           text NOT NULL DEFAULT 'owner',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_tenant_idx ON users (tenant_id);

CREATE TABLE refresh_tokens (
    id           uuid PRIMARY KEY,
    tenant_id    uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family_id    uuid NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    expires_at   timestamptz NOT NULL,
    spent_at     timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (tenant_id, family_id);

CREATE TABLE connections (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name                text NOT NULL,
    base_url            text NOT NULL,
    api_key_sealed      bytea NOT NULL,
    api_secret_sealed   bytea NOT NULL,
    api_key_last4       text NOT NULL,
    status              text NOT NULL DEFAULT 'active',
    webhook_token_hash  bytea,
    webhook_id          bigint,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connections_tenant_idx ON connections (tenant_id);

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = app_tenant_id()) WITH CHECK (id = app_tenant_id());

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'refresh_tokens', 'connections'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())', t);
    END LOOP;
END
$$;

GRANT USAGE ON SCHEMA public TO quayside_app;
-- Lets a non-superuser migrating role `SET ROLE quayside_app` (superusers need no grant).
DO $$
BEGIN
    EXECUTE format('GRANT quayside_app TO %I', current_user);
EXCEPTION WHEN others THEN NULL;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, users, refresh_tokens, connections TO quayside_app;

-- Cross-tenant lookups. Each returns only what is needed to continue inside a tenant scope.
CREATE FUNCTION auth_find_user(p_email text)
RETURNS TABLE (user_id uuid, tenant_id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT id, tenant_id, password_hash FROM users WHERE lower(email) = lower(p_email)
$$;

CREATE FUNCTION auth_refresh_token_tenant(p_hash bytea)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT tenant_id FROM refresh_tokens WHERE token_hash = p_hash
$$;

CREATE FUNCTION connection_tenant(p_connection uuid)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT tenant_id FROM connections WHERE id = p_connection
$$;

CREATE FUNCTION active_connections()
RETURNS TABLE (connection_id uuid, tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT id, tenant_id FROM connections WHERE status = 'active'
$$;

REVOKE ALL ON FUNCTION auth_find_user(text), auth_refresh_token_tenant(bytea),
    connection_tenant(uuid), active_connections() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_find_user(text), auth_refresh_token_tenant(bytea),
    connection_tenant(uuid), active_connections(), app_tenant_id() TO quayside_app;
