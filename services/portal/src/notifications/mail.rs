//! Mailing notifications through SMTP (`PORTAL_SMTP_URL`, from `PORTAL_MAIL_FROM`) to the
//! provider's contact address, read from the providers service when the mail goes, so the portal
//! keeps no address. A sender takes each waiting mail in turn: it holds the row while it sends
//! (so two portals never send the same one), marks it sent, or tries again later with a growing
//! wait, and gives up on a mail the server refuses for good. Each mail carries the notification's
//! title, its text and its link, and nothing else: no bid contents, no scores, no one's details
//! but the address it goes to. Neither do the logs.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use platform::config::Settings;
use proto::commissioning::providers::v1::GetProviderRequest;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::Notify;

use super::{mail_row, notification};
use crate::PortalState;

/// Tries of one mail before the sender gives up on it.
const MAX_ATTEMPTS: i32 = 10;
/// How long a sender holds a mail it is sending: longer than a send can take.
const HOLD: Duration = Duration::from_secs(300);
/// Longest wait between two tries of one mail.
const LONGEST_WAIT: Duration = Duration::from_secs(3600);
/// How long the mail server may take to answer.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// Mails taken at a time.
const BATCH: u64 = 20;

/// The SMTP transport and what every mail shares.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The portal's address for people, without a trailing slash: the links' start.
    public_url: String,
    first_wait: Duration,
    /// The mail server, for logs (never the URL, which may hold a password).
    server: String,
}

impl Mailer {
    /// The mailer of `PORTAL_SMTP_URL`, or `None` when it is unset (notifications are then shown
    /// and not mailed).
    pub fn from_settings(settings: &Settings, public_url: &str) -> anyhow::Result<Option<Self>> {
        let Some(url) = &settings.portal_smtp_url else { return Ok(None) };
        let from = settings.portal_mail_from.as_deref().unwrap_or_default();
        let from: Mailbox = from.parse().map_err(|error| {
            anyhow::anyhow!("PORTAL_MAIL_FROM: {from:?} is not a mail address, like Marketplace <notifications@example.org> ({error})")
        })?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| {
                anyhow::anyhow!("PORTAL_SMTP_URL is not an SMTP URL like smtps://user:password@host ({error})")
            })?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let server = server_of(url);
        if plain_to_another_host(url) {
            tracing::warn!(
                server,
                "PORTAL_SMTP_URL sends mail without TLS to another host: use smtps:// or ?tls=required unless the relay is on this host"
            );
        }
        Ok(Some(Self {
            transport,
            from,
            public_url: public_url.trim_end_matches('/').to_owned(),
            first_wait: Duration::from_secs(settings.portal_mail_retry_secs),
            server,
        }))
    }

    /// Where the mail goes, for the start-up line.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The wait before try number `attempts + 1`: the first wait, doubled each time, at most an hour.
    fn wait_after(&self, attempts: i32) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(0);
        self.first_wait.saturating_mul(2_u32.saturating_pow(doublings)).min(LONGEST_WAIT)
    }

    /// The mail of `notification` to `to`.
    fn message(&self, notification: &notification::Model, to: Address) -> Result<Message, lettre::error::Error> {
        let text = format!(
            "{}\n\n{}{}\n\nAll your notifications: {}/notifications\n\n\
             You get this because your organisation is registered on the commissioning marketplace.\n",
            notification.body, self.public_url, notification.link, self.public_url
        );
        Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(None, to))
            .subject(&notification.title)
            // The same id however often it is tried, so a mail client can tell a copy.
            .message_id(Some(format!("<{}@{}>", notification.id, self.from.email.domain())))
            // RFC 3834: sent by a program, so auto-responders stay quiet.
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".into()))
            .header(ContentType::TEXT_PLAIN)
            .body(text)
    }
}

/// Sends waiting mail until aborted: at once when `wake` is raised, and every little while for
/// the retries.
pub fn spawn(mailer: Mailer, state: PortalState, wake: Arc<Notify>) -> tokio::task::JoinHandle<()> {
    let poll = mailer.first_wait.min(Duration::from_secs(5));
    tokio::spawn(async move {
        loop {
            if let Err(error) = send_due(&mailer, &state).await {
                tracing::warn!(%error, "the portal's mail could not be read from its database; will retry");
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    })
}

/// Why a mail was not sent.
enum Failure {
    /// It may go later: the server, the network or the providers service was not there.
    Passing(String),
    /// It never will: the address is refused, or there is no provider any more.
    Lasting(String),
}

/// Sends every mail that is due.
async fn send_due(mailer: &Mailer, state: &PortalState) -> Result<(), sea_orm::DbErr> {
    let db = state.0.db.conn();
    let now = Utc::now();
    let due = mail_row::Entity::find()
        .filter(mail_row::Column::SentAt.is_null())
        .filter(mail_row::Column::GivenUpAt.is_null())
        .filter(mail_row::Column::NextAttemptAt.lte(now))
        .order_by_asc(mail_row::Column::NextAttemptAt)
        .limit(BATCH)
        .all(db)
        .await?;
    for row in due {
        let attempts = row.attempts.saturating_add(1);
        let held_until = now + chrono::Duration::from_std(HOLD).unwrap_or_default();
        // Held by whoever moves its count on first: another portal that read it too sends nothing.
        let held = mail_row::Entity::update_many()
            .col_expr(mail_row::Column::Attempts, Expr::value(attempts))
            .col_expr(mail_row::Column::NextAttemptAt, Expr::value(held_until))
            .filter(mail_row::Column::NotificationId.eq(&row.notification_id))
            .filter(mail_row::Column::Attempts.eq(row.attempts))
            .filter(mail_row::Column::SentAt.is_null())
            .exec(db)
            .await?;
        if held.rows_affected != 1 {
            continue;
        }
        let Some(notification) = notification::Entity::find_by_id(&row.notification_id).one(db).await? else {
            continue;
        };
        let outcome = deliver(mailer, state, &notification).await;
        let done = Utc::now();
        let update = mail_row::Entity::update_many().filter(mail_row::Column::NotificationId.eq(&row.notification_id));
        let update = match outcome {
            Ok(()) => {
                tracing::info!(notification = %notification.id, organisation = %notification.organisation_id, "notification mailed");
                update
                    .col_expr(mail_row::Column::SentAt, Expr::value(done))
                    .col_expr(mail_row::Column::LastError, Expr::value(Option::<String>::None))
            }
            Err(Failure::Passing(reason)) if attempts < MAX_ATTEMPTS => {
                let wait = mailer.wait_after(attempts);
                tracing::warn!(notification = %notification.id, %reason, ?wait, "a notification's mail was not sent; will retry");
                let next = done + chrono::Duration::from_std(wait).unwrap_or_default();
                update
                    .col_expr(mail_row::Column::NextAttemptAt, Expr::value(next))
                    .col_expr(mail_row::Column::LastError, Expr::value(reason))
            }
            Err(Failure::Passing(reason) | Failure::Lasting(reason)) => {
                tracing::error!(notification = %notification.id, %reason, attempts, "a notification's mail was given up");
                update
                    .col_expr(mail_row::Column::GivenUpAt, Expr::value(done))
                    .col_expr(mail_row::Column::LastError, Expr::value(reason))
            }
        };
        update.exec(db).await?;
    }
    Ok(())
}

/// Sends `notification`'s mail to its organisation's contact address.
async fn deliver(mailer: &Mailer, state: &PortalState, notification: &notification::Model) -> Result<(), Failure> {
    let request = state
        .as_service(GetProviderRequest { provider_id: notification.organisation_id.clone() })
        .map_err(|error| Failure::Passing(format!("cannot sign the portal's service token: {error}")))?;
    let provider = match state.providers().get_provider(request).await {
        Ok(response) => response.into_inner().provider.unwrap_or_default(),
        Err(status) if status.code() == tonic::Code::NotFound => {
            return Err(Failure::Lasting("the provider is no longer registered".into()));
        }
        Err(status) => return Err(Failure::Passing(format!("providers GetProvider answered {:?}", status.code()))),
    };
    let to: Address = provider
        .contact_email
        .trim()
        .parse()
        .map_err(|_| Failure::Lasting("the provider's contact address is not one mail can go to".into()))?;
    let message = mailer
        .message(notification, to)
        .map_err(|error| Failure::Lasting(format!("the mail cannot be written: {error}")))?;
    match mailer.transport.send(message).await {
        Ok(_) => Ok(()),
        Err(error) if error.is_permanent() => Err(Failure::Lasting(described(&error))),
        Err(error) => Err(Failure::Passing(described(&error))),
    }
}

/// An SMTP failure without the server's words, which may quote the address.
fn described(error: &lettre::transport::smtp::Error) -> String {
    match error.status() {
        Some(code) => format!("the mail server answered {code}"),
        None if error.is_timeout() => "the mail server did not answer in time".into(),
        None if error.is_tls() => "TLS with the mail server failed".into(),
        None => "the mail server could not be reached".into(),
    }
}

/// `host:port` of an SMTP URL, without its user and password.
fn server_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    authority.rsplit_once('@').map_or(authority, |(_, host)| host).to_owned()
}

/// Whether the URL sends in plain text (`smtp://` without `tls=`) to a host other than this one.
fn plain_to_another_host(url: &str) -> bool {
    let plain = url.starts_with("smtp://") && !url.contains("tls=required") && !url.contains("tls=opportunistic");
    let server = server_of(url);
    let host = server.rsplit_once(':').map_or(server.as_str(), |(host, _)| host);
    plain && !matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_is_named_without_its_password() {
        assert_eq!(server_of("smtps://user:secret@mail.example.org:465"), "mail.example.org:465");
        assert_eq!(server_of("smtp://127.0.0.1:1025?tls=required"), "127.0.0.1:1025");
        assert!(plain_to_another_host("smtp://user:secret@mail.example.org"));
        assert!(!plain_to_another_host("smtp://mail.example.org:587?tls=required"));
        assert!(!plain_to_another_host("smtp://127.0.0.1:1025"));
        assert!(!plain_to_another_host("smtps://mail.example.org"));
    }
}
