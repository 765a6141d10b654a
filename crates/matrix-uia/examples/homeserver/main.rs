//! A small homeserver that uses the UIA engine for real: registration (terms
//! then dummy; with `--registration-token`, the token then dummy in every
//! flow), login, and two password-protected account calls, with the
//! `m.login.terms` fallback page. Usernames follow the user-ID grammar, a
//! name is claimed atomically, and every error is Matrix JSON.
//!
//! ```text
//! cargo run -p matrix-uia --example homeserver -- \
//!     [--listen 127.0.0.1:8008] [--db PATH|postgres://…] [--registration-token TOKEN] \
//!     [--hash-threads N] [--sweep-every SECONDS]
//! ```
//!
//! Try it with curl:
//!
//! ```text
//! curl -s -XPOST localhost:8008/_matrix/client/v3/register -d '{"username":"alice","password":"pw"}'
//! ```

mod app;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

const USAGE: &str = "usage: homeserver [--listen 127.0.0.1:8008] [--db PATH|postgres://URL] [--registration-token TOKEN] \
                     [--hash-threads N] [--sweep-every SECONDS]";

struct Options {
    listen: SocketAddr,
    /// An SQLite file's path or a `postgres://` URL.
    db: Option<String>,
    settings: app::Settings,
}

/// What the command line asks for.
enum Command {
    Serve(Options),
    Help,
}

fn options() -> Result<Command, String> {
    let mut options = Options {
        listen: SocketAddr::from(([127, 0, 0, 1], 8008)),
        db: None,
        settings: app::Settings::default(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        let number = |text: String| text.parse::<u64>().map_err(|e| format!("{flag} {text}: {e}\n{USAGE}"));
        match flag.as_str() {
            "--listen" => {
                let address = value()?;
                options.listen = address.parse().map_err(|e| format!("--listen {address}: {e}\n{USAGE}"))?;
            }
            "--db" => options.db = Some(value()?),
            "--registration-token" => options.settings.registration_token = Some(value()?),
            "--hash-threads" => options.settings.hash_threads = number(value()?)?.max(1) as usize,
            "--sweep-every" => options.settings.sweep_every = Duration::from_secs(number(value()?)?.max(1)),
            "--help" | "-h" => return Ok(Command::Help),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(Command::Serve(options))
}

fn main() -> std::process::ExitCode {
    match options() {
        Ok(Command::Help) => println!("{USAGE}"),
        Ok(Command::Serve(options)) => {
            if let Err(error) = serve(options) {
                eprintln!("homeserver: {error}");
                return std::process::ExitCode::FAILURE;
            }
        }
        Err(error) => {
            eprintln!("homeserver: {error}");
            return std::process::ExitCode::from(2);
        }
    }
    std::process::ExitCode::SUCCESS
}

#[tokio::main]
async fn serve(options: Options) -> Result<(), Box<dyn std::error::Error>> {
    // Without --db, a fresh database in a directory that lives as long as the server.
    let temp = std::env::temp_dir().join(format!("matrix-uia-homeserver-{}", std::process::id()));
    let db = match options.db {
        Some(db) => db,
        None => {
            std::fs::create_dir_all(&temp)?;
            temp.join("homeserver.db").to_string_lossy().into_owned()
        }
    };
    let server = Arc::new(app::Homeserver::open(&db, options.settings).await?);
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    println!("listening on http://{} (database {})", listener.local_addr()?, without_secrets(&db));
    app::serve(listener, app::Limits::default(), server.clone(), terminated()).await?;
    // Every request has finished: the last reference closes the database.
    drop(server);
    println!("shut down");
    Ok(())
}

/// A database URL as it may be printed: without the user and password.
fn without_secrets(db: &str) -> String {
    match db.split_once("://") {
        Some((scheme, rest)) => {
            format!("{scheme}://{}", rest.rsplit_once('@').map_or(rest, |(_, host)| host))
        }
        None => db.to_owned(),
    }
}

/// SIGTERM (a service manager stopping the server) or Ctrl-C.
async fn terminated() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            // Without a SIGTERM handler, Ctrl-C alone stops the server.
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = term => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
