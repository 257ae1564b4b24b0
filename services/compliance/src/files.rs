//! Where document files live: an `object_store` store, a folder under `DATA_DIR` by default or an
//! S3-compatible bucket when one is configured. Each file is written whole once its bytes have
//! passed every check, and read back whole.

use std::path::Path;
use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use platform::Error;
use platform::config::Settings;

/// The document files.
#[derive(Clone)]
pub struct DocumentFiles {
    store: Arc<dyn ObjectStore>,
}

impl DocumentFiles {
    /// The store the settings name: the bucket `DOCUMENTS_S3_BUCKET`, else `<DATA_DIR>/documents`.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let Some(bucket) = &settings.documents_s3_bucket else {
            return Self::in_folder(&settings.data_dir.join("documents"));
        };
        // Credentials not given here come from the usual AWS variables or the instance's role.
        let mut builder =
            AmazonS3Builder::from_env().with_bucket_name(bucket).with_region(&settings.documents_s3_region);
        if let Some(endpoint) = &settings.documents_s3_endpoint {
            builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
        }
        if let (Some(key), Some(secret)) =
            (&settings.documents_s3_access_key_id, &settings.documents_s3_secret_access_key)
        {
            builder = builder.with_access_key_id(key).with_secret_access_key(secret);
        }
        let store = builder.build().map_err(|error| anyhow::anyhow!("DOCUMENTS_S3_BUCKET: {error}"))?;
        Ok(Self { store: Arc::new(store) })
    }

    /// Files in `folder` (created if missing).
    fn in_folder(folder: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(folder)
            .map_err(|error| anyhow::anyhow!("cannot create the documents folder {}: {error}", folder.display()))?;
        Ok(Self { store: Arc::new(LocalFileSystem::new_with_prefix(folder)?) })
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), Error> {
        self.store.put(&ObjectPath::from(key), bytes.into()).await.map_err(Error::internal)?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, Error> {
        let found = self.store.get(&ObjectPath::from(key)).await.map_err(Error::internal)?;
        Ok(found.bytes().await.map_err(Error::internal)?.to_vec())
    }

    /// Removes a file written for a document that was then not recorded.
    pub async fn delete(&self, key: &str) {
        if let Err(error) = self.store.delete(&ObjectPath::from(key)).await {
            tracing::error!(%key, %error, "could not remove an unrecorded document file");
        }
    }

    /// Every file's key, for checks that nothing stray was left.
    pub async fn keys(&self) -> Result<Vec<String>, Error> {
        use futures::TryStreamExt;
        let listed: Vec<_> = self.store.list(None).try_collect().await.map_err(Error::internal)?;
        Ok(listed.into_iter().map(|meta| meta.location.to_string()).collect())
    }
}
