//! The words of the PostgreSQL store's database errors: which server, what
//! went wrong underneath, and whether the store reconnects.

use crate::action::NextAction;

/// The actions that write: a connection lost during one leaves the write
/// done or not, and only a load tells which.
pub(super) const WRITES: [&str; 3] =
    ["create a release in", "append to a release in", "write the summary check in"];

/// Whether `error` says the connection is gone (the server restarted, ended
/// the session, or the network dropped it), rather than that the server
/// refused a statement.
pub(super) fn connection_lost(error: &postgres::Error) -> bool {
    if error.is_closed() {
        return true;
    }
    // A server shutting down or ending the session says so first (57P01
    // admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now), and
    // class 08 is a connection exception.
    if let Some(db) = error.as_db_error() {
        let code = db.code().code();
        return code.starts_with("57P0") || code.starts_with("08");
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(error);
    while let Some(inner) = cause {
        if inner.is::<std::io::Error>() {
            return true;
        }
        cause = inner.source();
    }
    false
}

/// Whether a write lost its connection part way: its outcome is unknown.
pub(super) fn lost_while_writing(action: &str, error: &postgres::Error) -> bool {
    WRITES.contains(&action) && connection_lost(error)
}

/// What went wrong, at the bottom: the server's message and code, or the
/// innermost cause the client saw (`Connection refused (os error 111)`).
fn cause(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return format!("{} ({})", db.message(), db.code().code());
    }
    if error.is_closed() {
        return "the connection was closed (the server restarted or ended the session)".to_owned();
    }
    let mut innermost: &(dyn std::error::Error + 'static) = error;
    while let Some(inner) = innermost.source() {
        innermost = inner;
    }
    innermost.to_string()
}

pub(super) fn database_message(
    action: &str,
    server: &str,
    reconnects: bool,
    error: &postgres::Error,
) -> String {
    let at = if server.is_empty() { String::new() } else { format!(" at {server}") };
    let mut message = format!("cannot {action} the database{at}: {}", cause(error));
    if action == "connect to" {
        message.push_str(": check that the server runs there and accepts this login");
    } else if lost_while_writing(action, error) {
        message.push_str(&format!(
            "; the connection was lost while writing, so the change may or may not be stored: {}",
            NextAction::ReloadAndRedo.describe()
        ));
    } else if connection_lost(error) {
        message.push_str(if reconnects {
            "; the store reconnected once and lost the connection again: check that the server runs"
        } else {
            "; this store was made on a client (`with_client`) and cannot reconnect: connect a new client and \
             make a new store"
        });
    }
    message
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::store::StoreError;

    /// A connection that never was: nothing listens on port 1.
    fn refused() -> postgres::Error {
        let url = "host=127.0.0.1 port=1 user=nobody connect_timeout=5";
        match postgres::Client::connect(url, postgres::NoTls) {
            Err(error) => error,
            Ok(_) => panic!("something answered on 127.0.0.1:1"),
        }
    }

    /// An error that is not about the connection: a setting that does not
    /// parse.
    fn not_lost() -> postgres::Error {
        match "host=127.0.0.1 port=not-a-port".parse::<postgres::Config>() {
            Err(error) => error,
            Ok(_) => panic!("a port of letters parsed"),
        }
    }

    fn failed(action: &'static str, source: postgres::Error) -> StoreError {
        StoreError::Database {
            action,
            server: "127.0.0.1:1".into(),
            reconnects: true,
            source: Arc::new(source),
        }
    }

    #[test]
    fn only_a_write_that_lost_its_connection_points_at_reloading() {
        assert!(connection_lost(&refused()));
        assert!(!connection_lost(&not_lost()));
        for action in WRITES {
            let error = failed(action, refused());
            assert_eq!(error.next_actions(), [NextAction::ReloadAndRedo], "{action}");
            assert!(error.to_string().contains("may or may not be stored"), "{error}");
            let refused_write = failed(action, not_lost());
            assert!(refused_write.next_actions().is_empty(), "{action}: {refused_write}");
            assert!(!refused_write.to_string().contains("may or may not"), "{refused_write}");
        }
        let read = failed("read", refused());
        assert!(read.next_actions().is_empty(), "{read}");
        assert!(
            read.to_string().contains("the store reconnected once and lost the connection again"),
            "{read}"
        );
        assert!(!read.to_string().contains("may or may not"), "{read}");
    }
}
