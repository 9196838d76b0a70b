//! The account's "Manual Orders" store (`marketplaceId == 0`), where orders go when the
//! settings name no store. Cached in Redis per connection so `GET /stores` costs one request
//! of the 40-a-minute budget per hour, not one per job.

use redis::AsyncCommands;
use shared::shipstation::error::ShipStationError;

use super::send::Session;
use crate::limiter::Permit;

/// Why the store could not be found right now.
pub enum StoreWait {
    /// Out of budget: try again after this long.
    Budget(std::time::Duration),
    /// ShipStation answered with an error.
    Call(ShipStationError),
}

impl Session<'_> {
    fn store_key(&self) -> String {
        shared::shipstation::manual_store_cache_key(&self.ctx.namespace, self.job.connection_id)
    }

    /// The store for new orders: the settings' store, else the cached or fetched manual store
    /// (`None` when the account has none: ShipStation then picks its first manual store).
    pub async fn manual_store(&mut self) -> anyhow::Result<Result<Option<i64>, StoreWait>> {
        let key = self.store_key();
        let mut redis = self.ctx.redis.clone();
        let cached: Option<String> = redis.get(&key).await?;
        if let Some(v) = cached {
            return Ok(Ok(v.parse::<i64>().ok()));
        }
        match self.ctx.limiter.acquire(&self.bucket).await? {
            Permit::Wait(d) => return Ok(Err(StoreWait::Budget(d))),
            Permit::Granted { .. } => {}
        }
        let answer = match self.client.list_stores().await {
            Ok(a) => a,
            Err(e) => {
                self.count_call("stores", Some(&e));
                return Ok(Err(StoreWait::Call(e)));
            }
        };
        self.count_call("stores", None);
        self.observe(&answer.rate).await;
        let store = answer
            .body
            .iter()
            .find(|s| s.is_manual() && s.active != Some(false))
            .map(|s| s.store_id);
        // "none" is cached too, so an account without a manual store is not asked every job.
        let value = store.map_or_else(|| "none".to_owned(), |s| s.to_string());
        let ttl = self.ctx.config.store_cache_ttl.as_secs().max(1);
        let _: () = redis.set_ex(&key, value, ttl).await?;
        Ok(Ok(store))
    }
}
