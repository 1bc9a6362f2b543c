//! `oslo-rootwrap-daemon`: the long-running form of rootwrap that
//! `oslo_rootwrap.client.Client` talks to (`root_helper_daemon`).
//!
//! * [`budget`] — the memory all connections share;
//! * [`json`] — the JSON dialect of `oslo_rootwrap.jsonrpc`;
//! * [`wire`] — length framing and the `multiprocessing` challenge/response;
//! * [`server`] — the manager server and `RootwrapClass.run_one_command`;
//! * [`client`] — a Rust client with the Python `Client`'s behaviour.

pub mod budget;
pub mod client;
pub mod json;
pub mod server;
pub mod wire;
