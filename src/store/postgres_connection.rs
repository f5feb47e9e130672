//! The PostgreSQL store's connection: statements prepared once, errors
//! that name the server, and connecting again when the connection is lost.

use std::collections::HashMap;
use std::sync::Arc;

use postgres::{Client, NoTls, Statement};

use super::PostgresStore;
use crate::store::error::StoreError;
use crate::store::postgres_error::{WRITES, connection_lost};
use crate::store::postgres_sql::quoted;

/// The store's connection, and the statements prepared on it: each is
/// parsed by the server once, and then sent as its parameters alone.
pub(super) struct Connection {
    pub(super) client: Client,
    pub(super) prepared: HashMap<&'static str, Statement>,
}

impl Connection {
    /// `sql` with `{schema}` replaced, prepared on first use.
    pub(super) fn statement(&mut self, schema: &str, sql: &'static str) -> Result<Statement, StoreError> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement =
            self.client.prepare(&sql.replace("{schema}", &quoted(schema))).map_err(database("use"))?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }
}

/// A database error of `action`; the store names its server when it
/// reports it ([`PostgresStore::named`]).
pub(crate) fn database(action: &'static str) -> impl Fn(postgres::Error) -> StoreError {
    move |source| StoreError::Database {
        action,
        server: String::new(),
        reconnects: false,
        source: Arc::new(source),
    }
}

impl PostgresStore {
    /// Runs `operation`; when it finds the connection lost before it wrote
    /// anything (the server restarted, or ended the session), connects
    /// again and runs it once more. A store made on a client
    /// ([`with_client`](PostgresStore::with_client)) has no address to
    /// connect to, and says so. Errors name the server.
    pub(super) fn retrying<T>(
        &self,
        mut operation: impl FnMut() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let result = match operation() {
            Err(StoreError::Database { action, source, .. })
                if self.url.is_some() && !WRITES.contains(&action) && connection_lost(&source) =>
            {
                self.reconnect().and_then(|()| operation())
            }
            other => other,
        };
        result.map_err(|error| self.named(error))
    }

    /// A new connection from the store's URL, in place of the lost one.
    fn reconnect(&self) -> Result<(), StoreError> {
        let Some(url) = &self.url else { return Ok(()) };
        let client = Client::connect(url, NoTls).map_err(database("connect to"))?;
        *self.connection() = Connection { client, prepared: HashMap::new() };
        Ok(())
    }

    /// `error`, naming the store's server and whether it reconnects.
    fn named(&self, error: StoreError) -> StoreError {
        at_server(error, &self.server, self.url.is_some())
    }
}

/// `error`, naming `server` and whether the store reconnects, if it is a
/// database error.
pub(super) fn at_server(error: StoreError, server: &str, reconnects: bool) -> StoreError {
    match error {
        StoreError::Database { action, source, .. } => {
            StoreError::Database { action, server: server.to_owned(), reconnects, source }
        }
        other => other,
    }
}

/// The server a URL names, for messages: each `host:port` (the socket
/// directory for a local socket), or what the URL says when it cannot be
/// read (the connection then fails and says why).
pub(super) fn server_of(url: &str) -> String {
    let Ok(config) = url.parse::<postgres::Config>() else { return "the server the URL names".to_owned() };
    let ports = config.get_ports();
    let servers: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(index, host)| {
            let port = ports.get(index).or_else(|| ports.first()).copied().unwrap_or(5432);
            match host {
                postgres::config::Host::Tcp(name) => format!("{name}:{port}"),
                postgres::config::Host::Unix(path) => format!("{}/.s.PGSQL.{port}", path.display()),
            }
        })
        .collect();
    if servers.is_empty() { "the default server".to_owned() } else { servers.join(", ") }
}
