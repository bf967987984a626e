//! The researcher export workflow: a researcher requests a closed survey's anonymised data, an
//! organiser approves or declines, only the researcher who asked downloads it; the operator can
//! make the organisation's own copy. Every step is audited.

use super::{audit, survey_entry, Actor, ServiceError};
use crate::accounts::Role;
use crate::export::requests::{self, ExportRequest, ExportState};
use crate::installation::Chorus;
use crate::surveys::SurveyState;

pub fn request_export(
    chorus: &Chorus,
    actor: &Actor,
    survey: &str,
    purpose: &str,
) -> Result<ExportRequest, ServiceError> {
    survey_entry(chorus, survey)?;
    let made = requests::request(
        &chorus.store,
        &chorus.surveys,
        chorus.clock.as_ref(),
        survey,
        &actor.account,
        purpose,
    )?;
    audit(
        chorus,
        actor,
        "request export",
        Some(survey),
        Some(format!("request {}", made.id)),
    );
    Ok(made)
}

pub fn decide_export(
    chorus: &Chorus,
    actor: &Actor,
    id: &str,
    approve: bool,
) -> Result<ExportRequest, ServiceError> {
    // Approving a request that no export could ever satisfy would hand the researcher a
    // download that always fails: it is refused now, with the reason, and stays undecided.
    if approve {
        if let Some(asked) = requests::get(&chorus.store, id)? {
            if asked.state == requests::ExportState::Requested {
                build(chorus, &asked.survey)?;
            }
        }
    }
    let decided = requests::decide(
        &chorus.store,
        &chorus.surveys,
        chorus.clock.as_ref(),
        id,
        &actor.account,
        approve,
    )?;
    let action = if approve {
        "approve export"
    } else {
        "decline export"
    };
    if approve {
        chorus
            .surveys
            .mark_exported(&chorus.store, &decided.survey)?;
    }
    audit(
        chorus,
        actor,
        action,
        Some(&decided.survey),
        Some(format!("request {} by {}", decided.id, decided.researcher)),
    );
    Ok(decided)
}

/// The surveys a researcher can ask data of: closed, and not shredded. (id, title)
pub fn exportable_surveys(chorus: &Chorus) -> Vec<(String, String)> {
    chorus
        .surveys
        .list(&chorus.store)
        .into_iter()
        .filter(|s| s.state == SurveyState::Closed)
        .filter(|s| chorus.surveys.get(&s.id).is_some_and(|e| !e.shredded))
        .map(|s| (s.id, s.title))
        .collect()
}

/// A request as its researcher, or any organiser, may see it.
pub fn export_request(
    chorus: &Chorus,
    account: &str,
    role: Role,
    id: &str,
) -> Result<ExportRequest, ServiceError> {
    requests::get(&chorus.store, id)?
        .filter(|r| role == Role::Organiser || r.researcher == account)
        .ok_or(ServiceError::Request(requests::RequestError::NotFound))
}

/// Every request, newest first, for organisers; a researcher's own for a researcher.
pub fn export_requests(
    chorus: &Chorus,
    account: &str,
    role: Role,
) -> Result<Vec<ExportRequest>, ServiceError> {
    Ok(requests::all(&chorus.store)?
        .into_iter()
        .filter(|r| role == Role::Organiser || r.researcher == account)
        .collect())
}

/// The signed bundle of an approved request, for the researcher who asked. Organisers never
/// get microdata through this route.
pub fn download_export(chorus: &Chorus, actor: &Actor, id: &str) -> Result<Vec<u8>, ServiceError> {
    let request = export_request(chorus, &actor.account, Role::Researcher, id)?;
    if request.state != ExportState::Approved {
        return Err(ServiceError::NotApproved);
    }
    let zip = build(chorus, &request.survey)?;
    audit(
        chorus,
        actor,
        "download export",
        Some(&request.survey),
        Some(format!("request {}", request.id)),
    );
    Ok(zip)
}

/// `chorus export SURVEY --out FILE`: the organisation's own copy (no approval: the operator
/// already holds the key), written readable by its owner only.
pub fn operator_export(
    chorus: &Chorus,
    actor: &Actor,
    survey: &str,
    out: &std::path::Path,
) -> Result<(), ServiceError> {
    let zip = build(chorus, survey)?;
    chorus.surveys.mark_exported(&chorus.store, survey)?;
    super::operations::write_private(out, &zip).map_err(|source| ServiceError::WriteFile {
        path: out.to_path_buf(),
        source,
    })?;
    audit(chorus, actor, "export", Some(survey), None);
    Ok(())
}

fn build(chorus: &Chorus, survey: &str) -> Result<Vec<u8>, ServiceError> {
    survey_entry(chorus, survey)?;
    Ok(crate::export::package::build(
        &chorus.store,
        &chorus.surveys,
        &chorus.signing,
        survey,
        &chorus.clock.today(),
    )?)
}
