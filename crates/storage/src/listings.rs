//! The abnormal operations list and the serious dishonesty list. (Being written.)

use crate::{Result, WriteTx};
use chrono::NaiveDate;

/// The daily job that lists the entities that did not file their annual report.
pub async fn run_annual_report_job(_tx: &mut WriteTx<'_>, _as_of: NaiveDate) -> Result<String> {
    Ok("not yet".to_owned())
}
