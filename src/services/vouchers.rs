//! Staff actions on incentive vouchers: look one up, and mark it paid. Paying is audited as
//! "pay voucher" with its survey and day only — the log counts payments per day and never says
//! which voucher.

use super::{audit, Actor, ServiceError};
use crate::installation::Chorus;
use crate::store::Payment;
use crate::vouchers::{self, Standing};

/// Where a typed voucher stands (not audited: looking changes nothing).
pub fn voucher_standing(chorus: &Chorus, typed: &str) -> Result<Standing, ServiceError> {
    Ok(vouchers::standing(
        &chorus.store,
        chorus.vault.code_hash_key(),
        typed,
    )?)
}

/// Whether a typed voucher is a recruitment reward (a coupon's claim stub), so the desk can say
/// so (not audited: looking changes nothing).
pub fn voucher_is_reward(chorus: &Chorus, typed: &str) -> Result<bool, ServiceError> {
    Ok(vouchers::is_reward(
        &chorus.store,
        chorus.vault.code_hash_key(),
        typed,
    )?)
}

/// Marks a voucher paid, durably, before anyone is told to hand over the incentive. Of any
/// number of concurrent requests for one voucher, exactly one is told `Paid`.
pub fn pay_voucher(chorus: &Chorus, actor: &Actor, typed: &str) -> Result<Payment, ServiceError> {
    let payment = vouchers::pay(&chorus.store, chorus.vault.code_hash_key(), typed)?;
    if let Payment::Paid(survey) = &payment {
        chorus.store.durable_blocking()?;
        audit(chorus, actor, "pay voucher", Some(survey), None);
    }
    Ok(payment)
}
