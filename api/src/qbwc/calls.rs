//! The eight Web Connector methods. Every error is answered in-band, as the Web Connector
//! expects: `nvu`/`none`/`busy` from authenticate, a negative percent from receiveResponseXML,
//! then the reason from getLastError.

use shared::crypto::random_token;
use shared::db;
use shared::db::sales::{ResponseWrites, RunProgress, SalesResponse, StoreOutcome};
use shared::ids::OrderId;
use shared::jobs::{OrderPushV1, MAX_ORDERS_PER_PUSH};
use shared::qbwc::soap::QbwcReply;
use shared::qbxml::response::parse_response;
use shared::sale::TxnType;

use super::plan::{iterator_start, Plan, Step, WbPhase};
use super::session::Session;
use super::writeback::WriteBackJob;
use crate::state::AppState;

const PASSWORD_PURPOSE: &str = "qbwc-password";
/// Seconds the iterator start goes back before the watermark.
const WATERMARK_OVERLAP_SECS: i64 = 600;
const ERROR_PERCENT: i32 = -101;
const UNKNOWN_TICKET: &str =
    "This Web Connector session has expired or is unknown. It will start again on the next run.";

/// The stored hash of a Web Connector password.
pub fn password_hash(state: &AppState, password: &str) -> Vec<u8> {
    state
        .settings
        .secret_keys
        .keyed_hash(PASSWORD_PURPOSE, password.as_bytes())
}

pub async fn authenticate(
    state: &AppState,
    username: &str,
    password: &str,
) -> anyhow::Result<(QbwcReply, &'static str)> {
    let reply = |ticket: &str, status: &str| {
        QbwcReply::Authenticate(vec![ticket.to_string(), status.to_string()])
    };
    // A refused login gets no ticket at all, as the Web Connector's peers answer it.
    let refused = || QbwcReply::Authenticate(vec![String::new(), "nvu".to_string()]);
    let found = db::qbwc::find_by_username(&state.db, username.trim()).await?;
    let keys = &state.settings.secret_keys;
    // Hash even for an unknown user, so both failures cost the same.
    let stored = found
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_default();
    let valid = keys.verify_keyed_hash(PASSWORD_PURPOSE, password.as_bytes(), &stored);
    let Some(cred) = found.filter(|_| valid) else {
        tracing::warn!("Web Connector authentication failed");
        return Ok((refused(), "nvu"));
    };
    let (tenant, connection) = (cred.tenant_id, cred.connection_id);
    // The ticket names its session's connection (so closeConnection takes one round trip).
    let ticket = super::session::new_ticket(connection);

    // Before anything is opened: a live session of this connection keeps its run. The claim
    // is atomic, so two Web Connectors of one connection never both get a session.
    if !state
        .sessions
        .claim(&ticket, connection, state.settings.qbwc_busy_window)
        .await?
    {
        tracing::info!(connection_id = %connection, "Web Connector session already running: busy");
        return Ok((reply(&ticket, "busy"), "busy"));
    }
    let started = match start_session(state, tenant, connection).await {
        Ok(Started::Session(mut session)) => state
            .sessions
            .save(&ticket, &mut session)
            .await
            .map(|()| Started::Session(session))
            .map_err(anyhow::Error::from),
        other => other,
    };
    if !matches!(started, Ok(Started::Session(_))) {
        // Whatever stopped the session frees the connection for the next run.
        if let Err(e) = state.sessions.remove(&ticket, connection).await {
            tracing::warn!(connection_id = %connection, error = %e, "could not release the connection's claim; it lapses after the busy window");
        }
    }
    match started? {
        Started::Refused => Ok((refused(), "nvu")),
        Started::Nothing => Ok((reply(&ticket, "none"), "none")),
        Started::Session(session) => {
            state
                .metrics
                .qbwc_sessions
                .with_label_values(&["started"])
                .inc();
            tracing::info!(tenant_id = %tenant, connection_id = %connection, run_id = %session.run_id, "Web Connector session started");
            Ok((reply(&ticket, ""), "ok"))
        }
    }
}

/// What authenticate found to do for a connection it has claimed.
enum Started {
    /// No such connection for the tenant any more.
    Refused,
    /// Nothing to read or write back.
    Nothing,
    /// A session with its plan (its run is open).
    Session(Box<Session>),
}

/// Opens the connection's run and plans its session.
async fn start_session(
    state: &AppState,
    tenant: shared::ids::TenantId,
    connection: shared::ids::ConnectionId,
) -> anyhow::Result<Started> {
    // The run opens with the read, in one round trip.
    let run_id = uuid::Uuid::new_v4();
    let Some(context) = db::qbwc::open_session(&state.db, tenant, connection, run_id, 50).await?
    else {
        return Ok(Started::Refused);
    };
    let settings = context.sync_settings(connection);
    let tests = context.test_sales.clone();

    let mut steps = Vec::new();
    for wb in context.write_backs.iter().cloned() {
        let Some(txn_type) = wb.txn_type() else {
            continue;
        };
        steps.push(Step::WriteBack {
            job: Box::new(WriteBackJob {
                id: wb.id,
                order_id: wb.order_id,
                txn_type,
                txn_id: wb.txn_id,
                ref_number: wb.ref_number,
                add_tracking: wb.add_tracking,
                remove_tracking: wb.remove_tracking,
                ship_date: wb.ship_date,
                shipping_cost: wb.shipping_cost,
                tracking_field: settings.tracking_field.clone(),
                shipping_item_name: settings.shipping_item_name.clone(),
            }),
            phase: WbPhase::Query,
            attempts: 0,
        });
    }
    if !tests.is_empty() {
        steps.push(Step::TestSales {
            refs: tests.iter().map(|(_, r)| r.clone()).collect(),
            types: TxnType::ALL.to_vec(),
        });
    }
    for t in TxnType::ALL.into_iter().filter(|t| settings.syncs(*t)) {
        steps.push(Step::Iterate {
            txn_type: t,
            from: iterator_start(
                context.watermark(t),
                settings.sync_from,
                WATERMARK_OVERLAP_SECS,
            ),
            iterator_id: None,
            received: 0,
            max_modified: None,
        });
    }
    if steps.is_empty() {
        // Nothing to do: the run opened with the read is not kept.
        let mut tx = db::tenant_tx(&state.db, tenant).await?;
        db::qbwc::delete_run(&mut tx, run_id).await?;
        tx.commit().await?;
        return Ok(Started::Nothing);
    }
    steps.push(Step::Customers);

    let session = Session {
        tenant_id: tenant,
        connection_id: connection,
        run_id,
        plan: Plan::new(steps),
        settings,
        test_request_ids: tests.into_iter().map(|(id, _)| id).collect(),
        last_error: None,
        failed: false,
        requests_sent: 0,
        sales_received: 0,
        orders_queued: 0,
        orders_to_push: Vec::new(),
        last_seen: 0,
        run_recorded: false,
        owner_id: context.owner_id,
        file_id: context.file_id,
        qbxml_version: None,
        company_checked: false,
    };
    Ok(Started::Session(Box::new(session)))
}

/// What the Web Connector says about QuickBooks and the company file in sendRequestXML
/// (filled on the first call of a session).
pub struct CompanyInfo<'a> {
    pub hcp_response: &'a str,
    pub major_version: Option<i32>,
    pub minor_version: Option<i32>,
}

pub async fn send_request(
    state: &AppState,
    ticket: &str,
    company: CompanyInfo<'_>,
) -> anyhow::Result<(QbwcReply, &'static str)> {
    let Some(mut session) = state.sessions.load(ticket).await? else {
        return Ok((QbwcReply::SendRequestXml(String::new()), "unknown_ticket"));
    };
    let checked_before = session.company_checked;
    if !session.company_checked && !session.failed {
        let found = match check_company(&mut session, &company) {
            Ok(found) => found,
            Err(reads) => {
                let problem = format!(
                    "This QuickBooks reads qbXML up to {reads}; Quayside needs qbXML {}.{} or \
                     later: QuickBooks 2006 or later in the US, 2008 or later in Canada, the \
                     UK and Australia. Update QuickBooks, then run the Web Connector again.",
                    shared::qbxml::MIN_QBXML_VERSION.0,
                    shared::qbxml::MIN_QBXML_VERSION.1
                );
                fail(state, ticket, &mut session, problem).await?;
                return Ok((QbwcReply::SendRequestXml(String::new()), "old_quickbooks"));
            }
        };
        if let Some(found) = found {
            // Stamped for another connection that still exists: that company's data must not
            // land here. A FileID of a deleted connection (the company re-paired) is accepted.
            let other = match found {
                Ok(id) => db::qbwc::file_connection(&state.db, id).await?,
                Err(_) => None,
            };
            if other.is_some_and(|c| c != session.connection_id) {
                let problem = "The company file open in QuickBooks belongs to another Quayside \
                    connection. Open the company file this connection was set up for, or add \
                    that company's own .qwc file."
                    .to_string();
                fail(state, ticket, &mut session, problem).await?;
                return Ok((QbwcReply::SendRequestXml(String::new()), "wrong_company"));
            }
            tracing::warn!(connection_id = %session.connection_id, "company file stamped with an unknown FileID (a re-paired company); continuing");
        }
    }
    let next = if session.failed {
        None
    } else {
        session.plan.next_request()
    };
    let Some(mut xml) = next else {
        // Nothing more to ask: the Web Connector calls getLastError and closes next.
        state.sessions.save_idle(ticket, &mut session).await?;
        return Ok((QbwcReply::SendRequestXml(String::new()), "empty"));
    };
    if let Some(version) = &session.qbxml_version {
        xml = shared::qbxml::with_version(&xml, version);
    }
    // A request changes only the plan's own counters, which are replayed when its response
    // arrives (see `replay_unsaved_request`): the session is saved only when this call learnt
    // something new (the company file and qbXML version, on the first call).
    if session.company_checked != checked_before {
        session.requests_sent += 1;
        state.sessions.save(ticket, &mut session).await?;
    }
    Ok((QbwcReply::SendRequestXml(xml), "ok"))
}

/// Reads the first call's Host/Company response: picks the qbXML version QuickBooks reads, and
/// returns the company file's FileID (stamped by the Web Connector under our OwnerID) when it
/// is not this connection's: `Some(Ok(id))`, or `Some(Err(text))` when it is not even a GUID.
/// `Err` is the newest version a QuickBooks too old for Quayside reads.
fn check_company(
    session: &mut Session,
    company: &CompanyInfo<'_>,
) -> Result<Option<Result<uuid::Uuid, String>>, String> {
    let hcp = company.hcp_response;
    if hcp.trim().is_empty() && company.major_version.is_none() {
        return Ok(None);
    }
    session.company_checked = true;
    let supported = shared::qbxml::response::parse_hcp_supported_versions(hcp);
    let declared = company
        .major_version
        .filter(|m| *m > 0)
        .map(|m| (m as u32, company.minor_version.unwrap_or(0).max(0) as u32));
    let version = shared::qbxml::negotiate_version(&supported, declared)?;
    if version != shared::qbxml::QBXML_VERSION {
        tracing::warn!(connection_id = %session.connection_id, version = %version, "QuickBooks reads an older qbXML version; asking in it");
        session.qbxml_version = Some(version);
    }
    let (Some(owner), Some(expected)) = (session.owner_id, session.file_id) else {
        return Ok(None);
    };
    let Some(found) = shared::qbxml::response::parse_hcp_company_file_id(hcp, &owner) else {
        return Ok(None);
    };
    Ok(
        match uuid::Uuid::parse_str(found.trim().trim_start_matches('{').trim_end_matches('}')) {
            Ok(id) if id == expected => None,
            Ok(id) => Some(Ok(id)),
            Err(_) => Some(Err(found)),
        },
    )
}

/// Marks the session failed with `message`; the Web Connector will ask getLastError.
async fn fail(
    state: &AppState,
    ticket: &str,
    session: &mut Session,
    message: String,
) -> anyhow::Result<QbwcReply> {
    tracing::warn!(connection_id = %session.connection_id, run_id = %session.run_id, error = %message, "Web Connector session error");
    session.failed = true;
    session.last_error = Some(message.clone());
    session.plan.abandon_current();
    let mut tx = db::tenant_tx(&state.db, session.tenant_id).await?;
    db::qbwc::update_run(
        &mut tx,
        session.run_id,
        None,
        session.sales_received,
        session.requests_sent,
        Some(&message),
    )
    .await?;
    tx.commit().await?;
    state.sessions.save_idle(ticket, session).await?;
    Ok(QbwcReply::ReceiveResponseXml(ERROR_PERCENT))
}

pub async fn receive_response(
    state: &AppState,
    ticket: &str,
    response: &str,
    hresult: &str,
    message: &str,
) -> anyhow::Result<(QbwcReply, &'static str)> {
    let Some(mut session) = state.sessions.load(ticket).await? else {
        return Ok((
            QbwcReply::ReceiveResponseXml(ERROR_PERCENT),
            "unknown_ticket",
        ));
    };
    replay_unsaved_request(&mut session);
    if !hresult.trim().is_empty() {
        let text = format!(
            "QuickBooks could not process a request: {} (HRESULT {})",
            message.trim(),
            hresult.trim()
        );
        // A write-back QuickBooks cannot process waits for the next session, and this one
        // goes on reading sales: one bad write-back must not stop the sync.
        if let Some(job) = session.plan.current_write_back().cloned() {
            let text = format!("{text} while updating {}.", job.sale_label());
            let mut tx = db::tenant_tx(&state.db, session.tenant_id).await?;
            defer_write_back(state, &mut tx, session.tenant_id, &job, &text).await?;
            tx.commit().await?;
            session.plan.abandon_current();
            session.last_error = Some(text);
            let percent = session.plan.percent();
            state.sessions.save_idle(ticket, &mut session).await?;
            return Ok((QbwcReply::ReceiveResponseXml(percent), "hresult"));
        }
        return Ok((fail(state, ticket, &mut session, text).await?, "hresult"));
    }
    let parsed = match parse_response(response) {
        Ok(p) => p,
        Err(e) => {
            let text = format!("Quayside could not read QuickBooks' response: {e}");
            return Ok((fail(state, ticket, &mut session, text).await?, "bad_qbxml"));
        }
    };
    let expected = session.plan.awaiting().map(|a| a.request_id.clone());
    let rs = expected
        .as_deref()
        .and_then(|id| parsed.by_request_id(id))
        .or_else(|| parsed.responses.first());
    let Some(rs) = rs else {
        let text = "QuickBooks' response held no answer to Quayside's request.".to_string();
        return Ok((fail(state, ticket, &mut session, text).await?, "bad_qbxml"));
    };
    let handled = session.plan.on_response(rs);

    let (tenant, connection) = (session.tenant_id, session.connection_id);
    if let Some(e) = &handled.error {
        session.last_error = Some(e.clone());
    }
    // A session whose plan is done has stored everything: its run completes here, so
    // closeConnection has nothing left to write.
    let completes = session.plan.is_done()
        && handled.write_back_failed.is_none()
        && handled.write_back_deferred.is_none();
    let sales_received = session.sales_received + handled.sales.len() as u32;
    let watermark = match &handled.finished_iterator {
        Some((txn_type, Some(mark))) => Some((*txn_type, mark.as_str())),
        _ => None,
    };
    let response = SalesResponse {
        tenant,
        connection,
        sales: &handled.sales,
        settings: &session.settings,
        forced: handled.forced,
        writes: ResponseWrites {
            customers: &handled.customers,
            watermark,
            run: Some(RunProgress {
                run_id: session.run_id,
                sales_received,
                requests_sent: session.requests_sent,
                error: handled.error.as_deref(),
                status: completes.then_some("completed"),
            }),
        },
    };
    // A response that only records what QuickBooks sent (the usual one) is its own
    // transaction, in one round trip, and need not wait for the WAL flush: it can be read
    // again. One that moves a write-back or test sales on writes more, in one transaction
    // whose commit is durable when QuickBooks has changed.
    let (outcomes, tx) = if !handled.touches_write_back() && !handled.test_sales_done {
        let outcomes = db::sales::store_replayable_response(&state.db, &response).await?;
        (outcomes, None)
    } else {
        let mut tx = if handled.touches_write_back() {
            db::tenant_tx(&state.db, tenant).await?
        } else {
            db::replayable_tenant_tx(&state.db, tenant).await?
        };
        let outcomes = db::sales::store_response(&mut tx, &response).await?;
        (outcomes, Some(tx))
    };
    for outcome in outcomes {
        session.sales_received += 1;
        let label = match &outcome {
            StoreOutcome::Queued { order, new } => {
                session.orders_to_push.push(*order);
                if *new {
                    "new"
                } else {
                    "changed"
                }
            }
            StoreOutcome::Skipped { .. } => "skipped",
            StoreOutcome::Locked { .. } => "locked",
            StoreOutcome::Unchanged => "unchanged",
        };
        state
            .metrics
            .sales_received
            .with_label_values(&[label])
            .inc();
    }
    if let Some(mut tx) = tx {
        if handled.test_sales_done {
            db::qbwc::mark_test_sales_fetched(&mut tx, &session.test_request_ids).await?;
        }
        if let Some(id) = handled.write_back_sent {
            db::write_back_delivery::mark_sent(&mut tx, id).await?;
        }
        if let Some(sale) = &handled.refreshed_sale {
            db::write_back_delivery::refresh_sale(&mut tx, connection, sale).await?;
        }
        if let Some((job, text)) = &handled.write_back_done {
            db::write_back_delivery::mark_done(&mut tx, tenant, job.id, job.order_id, text).await?;
            state.metrics.write_backs.with_label_values(&["done"]).inc();
        }
        if let Some((job, text)) = &handled.write_back_failed {
            db::write_back_delivery::mark_failed(&mut tx, tenant, job.id, job.order_id, text)
                .await?;
            state
                .metrics
                .write_backs
                .with_label_values(&["failed"])
                .inc();
        }
        if let Some((job, text)) = &handled.write_back_deferred {
            defer_write_back(state, &mut tx, tenant, job, text).await?;
        }
        tx.commit().await?;
    }
    if let Some((_, text)) = handled
        .write_back_failed
        .as_ref()
        .or(handled.write_back_deferred.as_ref())
    {
        session.last_error = Some(text.clone());
    }
    session.run_recorded = completes;

    if handled.customers_done || session.plan.is_done() {
        push_orders(state, &mut session).await;
    }
    let percent = session.plan.percent();
    state.sessions.save_idle(ticket, &mut session).await?;
    Ok((QbwcReply::ReceiveResponseXml(percent), "ok"))
}

/// A sendRequestXML that did not save the session left its plan where it was; the plan is
/// deterministic, so taking its next request again here is exactly what that call did.
fn replay_unsaved_request(session: &mut Session) {
    if session.plan.awaiting().is_none() && !session.failed && session.plan.next_request().is_some()
    {
        session.requests_sent += 1;
    }
}

/// Leaves a write-back due for the next session (or fails it after too many attempts).
async fn defer_write_back(
    state: &AppState,
    tx: &mut db::Tx,
    tenant: shared::ids::TenantId,
    job: &WriteBackJob,
    text: &str,
) -> anyhow::Result<()> {
    let gave_up = db::write_back_delivery::defer(tx, tenant, job.id, job.order_id, text).await?;
    let label = if gave_up { "failed" } else { "deferred" };
    state.metrics.write_backs.with_label_values(&[label]).inc();
    Ok(())
}

/// Enqueues the session's pending orders in jobs of ≤100. A failure leaves them pending for
/// the sweeper: the order rows are the durable intent.
async fn push_orders(state: &AppState, session: &mut Session) {
    let orders: Vec<OrderId> = std::mem::take(&mut session.orders_to_push);
    for chunk in orders.chunks(MAX_ORDERS_PER_PUSH) {
        let job = OrderPushV1 {
            tenant_id: session.tenant_id,
            connection_id: session.connection_id,
            order_ids: chunk.to_vec(),
            trace: shared::telemetry::current_trace_context(),
        };
        match state.jobs.push_orders(job).await {
            Ok(()) => session.orders_queued += chunk.len() as u32,
            Err(e) => {
                tracing::error!(error = %e, "could not enqueue order-push; the sweeper will retry")
            }
        }
    }
}

/// Best effort after our own failure (database, Redis) inside a call: the run is marked failed
/// with a plain reason so getLastError and closeConnection tell the truth. State moved only on
/// success, so the next run redoes what this one could not store.
pub async fn note_internal_failure(state: &AppState, ticket: &str) {
    let Ok(Some(mut session)) = state.sessions.load(ticket).await else {
        return;
    };
    session.failed = true;
    session.last_error = Some(
        "Quayside had a temporary problem storing this run. The next run will continue where this one stopped."
            .into(),
    );
    let _ = state.sessions.save(ticket, &mut session).await;
}

pub async fn connection_error(
    state: &AppState,
    ticket: &str,
    hresult: &str,
    message: &str,
) -> anyhow::Result<(QbwcReply, &'static str)> {
    if let Some(mut session) = state.sessions.load(ticket).await? {
        let text = format!(
            "The Web Connector could not open QuickBooks: {} (HRESULT {})",
            message.trim(),
            hresult.trim()
        );
        session.last_error = Some(text.clone());
        record_end(state, &session, "failed").await?;
        state.sessions.remove(ticket, session.connection_id).await?;
    }
    Ok((QbwcReply::ConnectionError("done".into()), "ok"))
}

pub async fn get_last_error(
    state: &AppState,
    ticket: &str,
) -> anyhow::Result<(QbwcReply, &'static str)> {
    let text = match state.sessions.load(ticket).await? {
        Some(s) => s
            .last_error
            .unwrap_or_else(|| "Quayside has no more requests for this run.".into()),
        None => UNKNOWN_TICKET.into(),
    };
    Ok((QbwcReply::GetLastError(text), "ok"))
}

pub async fn close_connection(
    state: &AppState,
    ticket: &str,
) -> anyhow::Result<(QbwcReply, &'static str)> {
    let Some(mut session) = state.sessions.take(ticket).await? else {
        return Ok((QbwcReply::CloseConnection("OK".into()), "unknown_ticket"));
    };
    let status = if session.failed {
        "failed"
    } else {
        "completed"
    };
    push_orders(state, &mut session).await;
    record_end(state, &session, status).await?;
    let mut text = format!(
        "Quayside: {} sales read, {} sent on to ShipStation.",
        session.sales_received, session.orders_queued
    );
    if let Some(e) = &session.last_error {
        text.push_str(&format!(" Problem: {e}"));
    }
    Ok((QbwcReply::CloseConnection(text), "ok"))
}

/// Ends the session's run with `status` (unless its last response already completed it).
async fn record_end(state: &AppState, session: &Session, status: &str) -> anyhow::Result<()> {
    // Completed with its last response: nothing has changed since.
    if !(session.run_recorded && status == "completed") {
        let mut tx = db::tenant_tx(&state.db, session.tenant_id).await?;
        db::qbwc::update_run(
            &mut tx,
            session.run_id,
            Some(status),
            session.sales_received,
            session.requests_sent,
            session.last_error.as_deref(),
        )
        .await?;
        tx.commit().await?;
    }
    state
        .metrics
        .qbwc_sessions
        .with_label_values(&[status])
        .inc();
    tracing::info!(connection_id = %session.connection_id, run_id = %session.run_id, status, sales = session.sales_received, "Web Connector session ended");
    Ok(())
}

/// A fresh Web Connector password: 32 random bytes, URL-safe.
pub fn new_password() -> String {
    random_token(32)
}
