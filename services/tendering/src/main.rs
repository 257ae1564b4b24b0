//! The tendering service on its own, for production: reads its settings from the environment and
//! serves until SIGTERM.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::runtime::run_single::<tendering::Tendering>().await
}
