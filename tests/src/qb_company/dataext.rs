//! `DataExtAddRq` / `DataExtModRq` / `DataExtDelRq` on transactions (custom fields and
//! private data).

use super::model::{DataExt, TxnKind};
use super::process::{Rs, Status};
use super::render::data_ext_node;
use super::schema::{self, check_order, Invalid};
use super::state::CompanyState;
use super::xml::{Element, Node};

/// The three verbs of a transaction's data extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Add,
    Mod,
    Del,
}

/// A parsed `DataExtAdd` / `DataExtMod` / `DataExtDel` for a transaction.
#[derive(Debug, Clone)]
pub struct DataExtReq {
    pub verb: Verb,
    pub owner_id: String,
    pub name: String,
    /// `TxnDataExtType` and `TxnID`; `None` for list/company targets (unsupported).
    pub txn: Option<(String, String)>,
    /// Empty for a delete.
    pub value: String,
}

impl DataExtReq {
    /// Validate and read the request.
    pub fn parse(rq: &Element, verb: Verb) -> Result<DataExtReq, Invalid> {
        let agg_name = match verb {
            Verb::Add => "DataExtAdd",
            Verb::Mod => "DataExtMod",
            Verb::Del => "DataExtDel",
        };
        check_order(rq, &[(agg_name, false), ("IncludeRetElement", true)])?;
        let agg = rq
            .child(agg_name)
            .ok_or_else(|| Invalid(format!("<{}> needs <{agg_name}>", rq.name)))?;
        check_order(
            agg,
            &[
                ("OwnerID", false),
                ("DataExtName", false),
                ("ListDataExtType", false),
                ("ListObjRef", false),
                ("TxnDataExtType", false),
                ("TxnID", false),
                ("TxnLineID", false),
                ("OtherDataExtType", false),
                ("DataExtValue", false),
            ],
        )?;
        if verb == Verb::Del && agg.child("DataExtValue").is_some() {
            return Err(Invalid("<DataExtDel> takes no <DataExtValue>".into()));
        }
        let txn = match agg.child_text("TxnDataExtType") {
            Some(t) => Some((t.to_string(), schema::required(agg, "TxnID")?.to_string())),
            None => None,
        };
        let value = match verb {
            Verb::Del => String::new(),
            _ => schema::required(agg, "DataExtValue")?.to_string(),
        };
        Ok(DataExtReq {
            verb,
            owner_id: schema::required(agg, "OwnerID")?.to_string(),
            name: schema::required(agg, "DataExtName")?.to_string(),
            txn,
            value,
        })
    }
}

/// Run the request: set the value on the transaction, which counts as a change to it.
pub fn run(state: &mut CompanyState, rq: &Element, d: DataExtReq) -> Rs {
    let Some((txn_type, txn_id)) = &d.txn else {
        return Rs::new(
            rq,
            Status::error(
                1000,
                "The simulated company file only supports transaction data extensions.",
            ),
        );
    };
    if d.owner_id == "0" && !state.custom_fields.iter().any(|f| f == &d.name) {
        return Rs::new(rq, Status::not_found(&d.name));
    }
    if d.value.chars().count() > 255 {
        return Rs::new(rq, super::modify::too_long("DataExtValue", &d.value));
    }
    let kind = TxnKind::from_stem(txn_type);
    let Some(idx) = state
        .txns
        .iter()
        .position(|t| Some(t.kind) == kind && &t.txn_id == txn_id)
    else {
        return Rs::new(rq, Status::not_found(txn_id));
    };
    let txn = &mut state.txns[idx];
    if d.verb == Verb::Del {
        let Some(at) = txn
            .data_ext
            .iter()
            .position(|x| x.owner_id.eq_ignore_ascii_case(&d.owner_id) && x.name == d.name)
        else {
            return Rs::new(rq, Status::not_found(&d.name));
        };
        txn.data_ext.remove(at);
        state.touch(idx);
        let mut rs = Rs::new(rq, Status::ok());
        rs.body = vec![Node::Agg(
            "DataExtDelRet",
            vec![
                Node::Leaf("OwnerID", d.owner_id),
                Node::Leaf("DataExtName", d.name),
                Node::Leaf("TxnDataExtType", txn_type.clone()),
                Node::Leaf("TxnID", txn_id.clone()),
            ],
        )];
        return rs;
    }
    let existing = txn
        .data_ext
        .iter_mut()
        .find(|x| x.owner_id.eq_ignore_ascii_case(&d.owner_id) && x.name == d.name);
    match existing {
        Some(_) if d.verb == Verb::Add => {
            return Rs::new(
                rq,
                Status::error(
                    3180,
                    format!("There was an error when saving a data extension named \"{}\".  QuickBooks error message: The data extension already has a value.", d.name),
                ),
            );
        }
        Some(x) => x.value.clone_from(&d.value),
        None => txn.data_ext.push(DataExt {
            owner_id: d.owner_id.clone(),
            name: d.name.clone(),
            value: d.value.clone(),
        }),
    }
    state.touch(idx);
    let mut rs = Rs::new(rq, Status::ok());
    rs.body = vec![data_ext_node(&DataExt {
        owner_id: d.owner_id,
        name: d.name,
        value: d.value,
    })];
    rs
}
