//! The PostgreSQL the tests use: `HONOR_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/test`). Each test gets a schema of its own, created
//! here and dropped when the test ends. When nothing answers, the test fails saying how to
//! provide a server: PostgreSQL tests are never skipped.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};

pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn url() -> String {
    std::env::var("HONOR_TEST_PG").unwrap_or_else(|_| DEFAULT_URL.to_string())
}

/// A schema of its own on the test server, dropped (with its tables) on drop.
pub struct Schema {
    pub name: String,
    url: String,
}

async fn admin(url: &str) -> PgConnection {
    let options = PgConnectOptions::from_str(url)
        .unwrap_or_else(|e| panic!("HONOR_TEST_PG `{url}` is not a PostgreSQL URL: {e}"));
    match options.connect().await {
        Ok(conn) => conn,
        Err(e) => panic!(
            "no PostgreSQL answers at `{url}` ({e}); the ledger's PostgreSQL tests need one: \
             start a server there, set HONOR_TEST_PG=postgres://user@host:port/db to one where \
             that user may create schemas, or run `bash .ci/run`, which starts a throwaway \
             cluster when the PostgreSQL binaries are installed"
        ),
    }
}

impl Schema {
    pub async fn create(label: &str) -> Schema {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let url = url();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "honor_{label}_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = admin(&url).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(&mut conn)
            .await
            .expect("create the test schema");
        let _ = conn.close().await;
        Schema { name, url }
    }

    /// Connection options whose tables live in this schema.
    pub fn options(&self) -> PgConnectOptions {
        PgConnectOptions::from_str(&self.url)
            .expect("a PostgreSQL URL")
            .options([("search_path", self.name.as_str())])
    }

    /// A URL for `honor serve --ledger` whose tables live in this schema.
    pub fn url(&self) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}", self.url, self.name)
    }

    pub async fn drop_now(&self) {
        let mut conn = admin(&self.url).await;
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {} CASCADE",
            self.name
        )))
        .execute(&mut conn)
        .await;
        let _ = conn.close().await;
    }
}

impl Drop for Schema {
    /// Drops the schema even when the test failed; a test that passes drops it itself.
    fn drop(&mut self) {
        let url = self.url.clone();
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(async {
                    let schema = Schema { name, url };
                    schema.drop_now().await;
                    std::mem::forget(schema);
                });
            }
        })
        .join();
    }
}
