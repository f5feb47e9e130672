//! A read-only release board over any store: the checklist's "release
//! tracking board", live.
//!
//! ```text
//! cargo run --example board -- --store DIR [--bind 127.0.0.1:8080]
//! DATABASE_URL=postgres://… cargo run --features postgres --example board
//! ```
//!
//! - `/`: every release by stage, each card with its progress per gate,
//!   its next move and everything that blocks it, and what an emergency
//!   change owes;
//! - `/release/<key>`: one release: the workflow with its stage marked, the
//!   checklist by section with who settled each item, when and why,
//!   approvals, change windows, the health verdict and the audit trail;
//! - `/dora`: the DORA report with its tiers, and the weekly trend
//!   (`--features svg`).
//!
//! The pages follow the store's change feed (`/events`, server-sent
//! events) and reload when another process changes the store; without
//! JavaScript every page is whole, and a reload shows what changed. The
//! board binds 127.0.0.1 unless told otherwise, and has no route that
//! writes. It trusts the checklists a store trusts by default (OctoAcme's)
//! and those the store's trust ledger records.

mod pages;
mod web;

use std::net::SocketAddr;
use std::sync::Arc;

use release_workflow::store::FileStore;

/// Where the board reads from and where it listens, from the command line
/// and the environment.
struct Options {
    store: web::Shared,
    bind: SocketAddr,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut store_dir = None;
    let mut bind: SocketAddr = ([127, 0, 0, 1], 8080).into();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--store" => store_dir = Some(args.next().ok_or("--store needs a directory")?),
            "--bind" => {
                let value = args.next().ok_or("--bind needs an address such as 127.0.0.1:8080")?;
                bind = value.parse().map_err(|error| format!("--bind {value}: {error}"))?;
            }
            other => return Err(format!("unknown argument {other}: use --store DIR and --bind ADDRESS")),
        }
    }
    let store: web::Shared = match (store_dir, std::env::var("DATABASE_URL").ok()) {
        (Some(dir), _) => Arc::new(FileStore::open(&dir).map_err(|error| error.to_string())?),
        #[cfg(feature = "postgres")]
        (None, Some(url)) => Arc::new(
            release_workflow::store::PostgresStore::connect(&url).map_err(|error| error.to_string())?,
        ),
        #[cfg(not(feature = "postgres"))]
        (None, Some(_)) => {
            return Err("DATABASE_URL is set: build with --features postgres to read it".into());
        }
        (None, None) => return Err("say which store: --store DIR, or DATABASE_URL=postgres://…".into()),
    };
    Ok(Options { store, bind })
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(problem) => {
            eprintln!("board: {problem}");
            return std::process::ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(options.bind).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("board: cannot listen on {}: {error}", options.bind);
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("release board on http://{}", options.bind);
    match web::serve(listener, options.store).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("board: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
