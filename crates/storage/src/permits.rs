//! Permits (证照分离): the permit-item catalogue, permits per entity, expiry warnings. (Being written.)

use crate::{Result, WriteTx};
use chrono::NaiveDate;

/// The daily job that warns of permits about to expire.
pub async fn warn_expiring(_tx: &mut WriteTx<'_>, _as_of: NaiveDate) -> Result<String> {
    Ok("not yet".to_owned())
}
