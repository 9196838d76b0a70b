//! Tenants and their users.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::Tx;
use crate::ids::{TenantId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: UserId,
    pub tenant_id: TenantId,
    pub email: String,
    pub role: String,
}

/// The credentials row found for a login, across tenants.
#[derive(Clone, sqlx::FromRow)]
pub struct LoginCandidate {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub password_hash: String,
}

/// Leaves out the password hash.
impl std::fmt::Debug for LoginCandidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginCandidate")
            .field("user_id", &self.user_id)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

pub enum CreateOutcome {
    Created(Tenant, User),
    EmailTaken,
}

/// Creates a tenant and its owner inside `tx` (already scoped to `tenant_id`).
pub async fn create_with_owner(
    tx: &mut Tx,
    tenant_id: TenantId,
    name: &str,
    email: &str,
    password_hash: &str,
) -> Result<CreateOutcome, sqlx::Error> {
    let tenant: Tenant = sqlx::query_as(
        "INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING id, name, created_at",
    )
    .bind(tenant_id)
    .bind(name)
    .fetch_one(&mut **tx)
    .await?;
    let inserted = sqlx::query_as::<_, User>(
        "INSERT INTO users (id, tenant_id, email, password_hash, role) VALUES ($1, $2, $3, $4, 'owner')
         RETURNING id, tenant_id, email, role",
    )
    .bind(UserId::new())
    .bind(tenant_id)
    .bind(email)
    .bind(password_hash)
    .fetch_one(&mut **tx)
    .await;
    match inserted {
        Ok(user) => Ok(CreateOutcome::Created(tenant, user)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(CreateOutcome::EmailTaken),
        Err(e) => Err(e),
    }
}

/// Finds a user by email across tenants (for login only).
pub async fn find_login(pool: &PgPool, email: &str) -> Result<Option<LoginCandidate>, sqlx::Error> {
    sqlx::query_as("SELECT user_id, tenant_id, password_hash FROM auth_find_user($1)")
        .bind(email)
        .fetch_optional(pool)
        .await
}

pub async fn get_user(tx: &mut Tx, user_id: UserId) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as("SELECT id, tenant_id, email, role FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn get_tenant(tx: &mut Tx, tenant_id: TenantId) -> Result<Option<Tenant>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_optional(&mut **tx)
        .await
}
