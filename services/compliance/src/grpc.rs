//! The gRPC face of the compliance service. Upload reads the metadata first, then the bytes up to
//! the size cap, decides the type from the bytes, and only then writes the file and records the
//! document with its event in one unit of work: a refused or cut-off upload leaves no row and no
//! file. Download streams the file back after checking it still matches its SHA-256. Calls not
//! built yet answer UNIMPLEMENTED.

use chrono::Utc;
use platform::audit::{self, AuditEntry};
use platform::auth::{Caller, Role};
use platform::db::Database;
use platform::paging::Page;
use platform::time::london_today;
use platform::validation::{optional_text, required_text};
use platform::{Error, FieldViolation, idempotency};
use proto::commissioning::compliance::v1::compliance_service_server::ComplianceService;
use proto::commissioning::compliance::v1::{
    CheckComplianceRequest, CheckComplianceResponse, Document, DocumentStatus, DownloadDocumentRequest,
    DownloadDocumentResponse, FileInfo, GetDocumentRequest, GetDocumentResponse, ListDocumentsRequest,
    ListDocumentsResponse, RejectDocumentRequest, RejectDocumentResponse, Rejection, RenewDocumentRequest,
    RenewDocumentResponse, UploadDocumentMetadata, UploadDocumentRequest, UploadDocumentResponse, Verification,
    VerifyDocumentRequest, VerifyDocumentResponse, download_document_response, renew_document_request,
    upload_document_request,
};
use sha2::{Digest, Sha256};
use tonic::{Request, Response, Status, Streaming};

use crate::domain::{
    FileType, HEAD_LEN, NewDocument, SizeLimit, all_met, check_requirements, date_to_proto, file_type, parse_date,
    parse_requirements, summary,
};
use crate::events;
use crate::files::DocumentFiles;
use crate::locker::locker_document;
use crate::scan::{Scanner, Verdict};
use crate::store::{access, documents, staff};

/// A server stream, as the generated trait spells it.
type BoxStream<T> = std::pin::Pin<Box<dyn futures::Stream<Item = Result<T, Status>> + Send + 'static>>;

/// Bytes per download message.
const DOWNLOAD_CHUNK: usize = 256 * 1024;

/// Serves `ComplianceService`.
pub struct ComplianceApi {
    db: Database,
    files: DocumentFiles,
    max_bytes: u64,
    scanner: Scanner,
}

impl ComplianceApi {
    pub fn new(db: Database, files: DocumentFiles, max_bytes: u64, scanner: Scanner) -> Self {
        Self { db, files, max_bytes, scanner }
    }

    /// A document the caller may read: its provider's own members, officers of a council the
    /// provider bid to or holds a contract with, and platform admins.
    async fn readable(&self, caller: &Caller, id: &str) -> Result<documents::Stored, Error> {
        let stored = documents::find(self.db.conn(), id)
            .await?
            .ok_or_else(|| Error::NotFound { kind: "document", id: id.to_owned() })?;
        if !acts_for(caller, &stored.document.provider_id) {
            council_may_see(self.db.conn(), caller, &stored.document.provider_id).await?;
        }
        Ok(stored)
    }

    /// Verifies or rejects a document as an officer of a council that may see it.
    async fn decide(&self, caller: Caller, id: String, decision: Decision) -> Result<Document, Error> {
        self.db
            .unit_of_work(|txn| {
                Box::pin(async move {
                    let not_found = || Error::NotFound { kind: "document", id: id.clone() };
                    let mut document = documents::lock(txn, &id).await?.ok_or_else(not_found)?.document;
                    if !caller.has_role(Role::Admin) {
                        council_may_see(txn, &caller, &document.provider_id).await?;
                    }
                    if document.status != DocumentStatus::Submitted as i32 {
                        let status = DocumentStatus::try_from(document.status).unwrap_or(DocumentStatus::Unspecified);
                        return Err(Error::precondition(
                            "DOCUMENT_NOT_SUBMITTED",
                            format!(
                                "this document is {}; only a submitted document can be verified or rejected",
                                status.as_str_name()
                            ),
                        ));
                    }
                    let now = Utc::now();
                    let action = match decision {
                        Decision::Verify { note } => {
                            document.status = DocumentStatus::Verified as i32;
                            document.verification = Some(Verification {
                                council_id: caller.organisation_id.clone(),
                                council_name: caller.organisation_name.clone(),
                                officer_user_id: caller.user_id.clone(),
                                verify_time: Some(platform::time::to_timestamp(now)),
                                note,
                            });
                            "document.verified"
                        }
                        Decision::Reject { reason } => {
                            document.status = DocumentStatus::Rejected as i32;
                            document.rejection = Some(Rejection {
                                council_id: caller.organisation_id.clone(),
                                council_name: caller.organisation_name.clone(),
                                officer_user_id: caller.user_id.clone(),
                                reject_time: Some(platform::time::to_timestamp(now)),
                                reason,
                            });
                            "document.rejected"
                        }
                    };
                    documents::update(txn, &document, now).await?;
                    let entry = AuditEntry {
                        actor: &caller.user_id,
                        organisation: &caller.organisation_id,
                        action,
                        entity_kind: "document",
                        entity_id: &document.id,
                        details: serde_json::json!({ "provider_id": document.provider_id }),
                    };
                    audit::record(txn, entry).await?;
                    if document.verification.is_some() {
                        events::verified(txn, &document).await?;
                    } else {
                        events::rejected(txn, &document).await?;
                    }
                    Ok(document)
                })
            })
            .await
    }
}

/// Marks `old_id` superseded by `new_id`, unless a renewal already replaced it.
async fn supersede(txn: &sea_orm::DatabaseTransaction, old_id: &str, new_id: &str) -> Result<(), Error> {
    let not_found = || Error::NotFound { kind: "document", id: old_id.to_owned() };
    let mut old = documents::lock(txn, old_id).await?.ok_or_else(not_found)?.document;
    if old.status == DocumentStatus::Superseded as i32 {
        return Err(Error::precondition(
            "DOCUMENT_SUPERSEDED",
            format!(
                "document {old_id} was already renewed by {}; renew that one instead",
                old.superseded_by_document_id
            ),
        ));
    }
    old.status = DocumentStatus::Superseded as i32;
    old.superseded_by_document_id = new_id.to_owned();
    documents::update(txn, &old, Utc::now()).await?;
    events::superseded(txn, &old).await
}

/// An officer's verdict on a document.
enum Decision {
    Verify { note: String },
    Reject { reason: String },
}

/// PERMISSION_DENIED unless the caller is an officer of a council `provider_id` bid to or holds a
/// contract with.
async fn council_may_see<C: sea_orm::ConnectionTrait>(db: &C, caller: &Caller, provider_id: &str) -> Result<(), Error> {
    if caller.has_role(Role::Officer) && access::granted(db, &caller.organisation_id, provider_id).await? {
        return Ok(());
    }
    Err(Error::PermissionDenied(
        "a council sees a provider's documents once the provider bids to it or holds a contract with it".into(),
    ))
}

/// Whether the caller acts for provider `provider_id` (its member, by the token's organisation) or
/// is a platform admin.
fn acts_for(caller: &Caller, provider_id: &str) -> bool {
    caller.has_role(Role::Admin) || (caller.has_role(Role::Provider) && caller.organisation_id == provider_id)
}

/// Reads the rest of an upload's stream: the bytes up to the cap, all of them as declared, of an
/// accepted type and, if declared, of the declared SHA-256. Returns the bytes, their type and hash.
async fn read_file<M>(
    stream: &mut Streaming<M>,
    chunk_of: fn(M) -> Option<Vec<u8>>,
    new: &NewDocument,
    max_bytes: u64,
) -> Result<(Vec<u8>, FileType, String), Error> {
    let mut limit = SizeLimit::new(max_bytes);
    if let Some(size) = new.declared_size {
        limit.check_declared(size).map_err(|too_large| Error::ResourceExhausted(too_large.to_string()))?;
    }
    let mut bytes = Vec::new();
    // A stream cut off half-way ends here with its error: nothing has been written yet.
    while let Some(message) =
        stream.message().await.map_err(|status| Error::Unavailable(status.message().to_owned()))?
    {
        let Some(chunk) = chunk_of(message) else {
            return Err(Error::invalid("metadata", "send the metadata once, in the first message only"));
        };
        limit.accept_chunk(chunk.len()).map_err(|too_large| Error::ResourceExhausted(too_large.to_string()))?;
        bytes.extend_from_slice(&chunk);
    }
    // A cut connection can look like a clean end of the stream; the declared size tells.
    if let Some(declared) = new.declared_size.filter(|declared| *declared != limit.received()) {
        let message = format!(
            "the stream ended after {} of the {declared} bytes declared; send the whole file again",
            limit.received()
        );
        return Err(Error::invalid("metadata.size_bytes", message));
    }
    let kind = file_type(&bytes[..bytes.len().min(HEAD_LEN)])
        .map_err(|refused| Error::invalid("chunk", refused.to_string()))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    if new.declared_sha256.as_ref().is_some_and(|declared| *declared != sha256) {
        return Err(Error::invalid(
            "metadata.sha256_hex",
            format!("the bytes received hash to {sha256}; send the file again"),
        ));
    }
    Ok((bytes, kind, sha256))
}

fn upload_chunk(message: UploadDocumentRequest) -> Option<Vec<u8>> {
    match message.payload {
        Some(upload_document_request::Payload::Chunk(chunk)) => Some(chunk),
        _ => None,
    }
}

fn renew_chunk(message: RenewDocumentRequest) -> Option<Vec<u8>> {
    match message.payload {
        Some(renew_document_request::Payload::Chunk(chunk)) => Some(chunk),
        _ => None,
    }
}

/// The status a new file starts in: SUBMITTED when clean, PENDING_SCAN when the scanner cannot
/// answer (the scan fails closed). An infected file is refused before anything is stored.
async fn screen(scanner: &Scanner, bytes: &[u8]) -> Result<DocumentStatus, Error> {
    match scanner.scan(bytes).await {
        Verdict::Clean => Ok(DocumentStatus::Submitted),
        Verdict::Unavailable(why) => {
            tracing::warn!(%why, "malware scanner unavailable; the document is kept pending its scan");
            Ok(DocumentStatus::PendingScan)
        }
        Verdict::Infected(signature) => Err(Error::invalid(
            "chunk",
            format!("the malware scanner found {signature} in this file, so nothing was stored; upload a clean copy"),
        )),
    }
}

/// A new document of `new` with the file received, in `status`.
fn new_document(
    new: &NewDocument,
    caller: &Caller,
    file: (&[u8], FileType, String),
    status: DocumentStatus,
) -> Document {
    let (bytes, kind, sha256) = file;
    Document {
        id: uuid::Uuid::new_v4().to_string(),
        provider_id: new.provider_id.clone(),
        kind: new.kind as i32,
        title: new.title.clone(),
        status: status as i32,
        file: Some(FileInfo {
            filename: new.filename.clone(),
            content_type: kind.media_type().into(),
            size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256_hex: sha256,
        }),
        valid_from: new.valid_from.map(date_to_proto),
        expires_on: new.expires_on.map(date_to_proto),
        insurance: new.insurance.clone(),
        uploaded_by_user_id: caller.user_id.clone(),
        ..Default::default()
    }
}

/// A new document and the bytes of its file, checked and ready to store.
struct Received {
    document: Document,
    bytes: Vec<u8>,
}

/// Writes the file, then records the document, its audit row and its event in one unit of work;
/// removes the file again if the record fails or an earlier upload with the same request id
/// stands. Returns the id of the document that stands.
async fn record(
    db: &Database,
    files: &DocumentFiles,
    caller: &Caller,
    operation: &'static str,
    request_id: &str,
    received: Received,
    supersedes: Option<String>,
) -> Result<String, Error> {
    let Received { document, bytes } = received;
    let object_key = format!("{}/{}", document.provider_id, document.id);
    files.put(&object_key, bytes).await?;
    let (caller, request_id, key) = (caller.clone(), request_id.to_owned(), object_key.clone());
    let document_id = document.id.clone();
    let recorded = db
        .unit_of_work(|txn| {
            Box::pin(async move {
                let (caller, request_id, document, object_key) =
                    (&caller, request_id.as_str(), &document, key.as_str());
                if let Some(earlier) =
                    idempotency::claim(txn, &caller.user_id, operation, request_id, &document.id).await?
                {
                    return Ok::<_, Error>(Some(earlier));
                }
                if let Some(old_id) = &supersedes {
                    supersede(txn, old_id, &document.id).await?;
                }
                documents::insert(txn, document, object_key, Utc::now()).await?;
                let entry = AuditEntry {
                    actor: &caller.user_id,
                    organisation: &caller.organisation_id,
                    action: "document.uploaded",
                    entity_kind: "document",
                    entity_id: &document.id,
                    details: serde_json::json!({ "provider_id": document.provider_id, "kind": document.kind }),
                };
                audit::record(txn, entry).await?;
                events::submitted(txn, document).await?;
                Ok(None)
            })
        })
        .await;
    match recorded {
        Ok(None) => Ok(document_id),
        Ok(Some(earlier)) => {
            files.delete(&object_key).await;
            Ok(earlier)
        }
        Err(error) => {
            files.delete(&object_key).await;
            Err(error)
        }
    }
}

#[tonic::async_trait]
impl ComplianceService for ComplianceApi {
    async fn upload_document(
        &self,
        request: Request<Streaming<UploadDocumentRequest>>,
    ) -> Result<Response<UploadDocumentResponse>, Status> {
        let caller = Caller::of(&request)?.clone();
        let mut stream = request.into_inner();
        let metadata = match stream.message().await?.and_then(|message| message.payload) {
            Some(upload_document_request::Payload::Metadata(metadata)) => metadata,
            _ => return Err(Error::invalid("metadata", "send the document's metadata first, then its bytes").into()),
        };
        // Who may call before what they sent.
        if !acts_for(&caller, metadata.provider_id.trim()) {
            return Err(Error::PermissionDenied("only the provider's own members may add to its locker".into()).into());
        }
        idempotency::check_request_id("metadata.request_id", &metadata.request_id)?;
        let new = NewDocument::parse(&metadata, "metadata", london_today()).map_err(Error::InvalidArgument)?;
        let (bytes, kind, sha256) = read_file(&mut stream, upload_chunk, &new, self.max_bytes).await?;
        let status = screen(&self.scanner, &bytes).await?;
        let document = new_document(&new, &caller, (&bytes, kind, sha256), status);
        // Once the bytes are in, writing the file and recording the document finish together even
        // if the caller goes away meanwhile: a dropped handler must not leave a file without its row.
        let (db, files) = (self.db.clone(), self.files.clone());
        let request_id = metadata.request_id.clone();
        let document_id = tokio::spawn(async move {
            record(&db, &files, &caller, "UploadDocument", &request_id, Received { document, bytes }, None).await
        })
        .await
        .map_err(Error::internal)??;
        let not_found = Error::NotFound { kind: "document", id: document_id.clone() };
        let stored = documents::find(self.db.conn(), &document_id).await?.ok_or(not_found)?;
        Ok(Response::new(UploadDocumentResponse { document: Some(stored.document) }))
    }

    async fn download_document(
        &self,
        request: Request<DownloadDocumentRequest>,
    ) -> Result<Response<BoxStream<DownloadDocumentResponse>>, Status> {
        let caller = Caller::of(&request)?.clone();
        let stored = self.readable(&caller, &request.get_ref().document_id).await?;
        let bytes = self.files.get(&stored.object_key).await?;
        let expected = stored.document.file.as_ref().map(|file| file.sha256_hex.clone()).unwrap_or_default();
        if hex::encode(Sha256::digest(&bytes)) != expected {
            tracing::error!(document_id = %stored.document.id, "stored file no longer matches its SHA-256");
            return Err(Status::data_loss(
                "the stored file no longer matches its SHA-256; ask the provider to upload it again",
            ));
        }
        let mut messages = vec![Ok(DownloadDocumentResponse {
            payload: Some(download_document_response::Payload::Document(stored.document)),
        })];
        messages.extend(bytes.chunks(DOWNLOAD_CHUNK).map(|chunk| {
            Ok(DownloadDocumentResponse { payload: Some(download_document_response::Payload::Chunk(chunk.to_vec())) })
        }));
        Ok(Response::new(Box::pin(futures::stream::iter(messages))))
    }

    async fn get_document(
        &self,
        request: Request<GetDocumentRequest>,
    ) -> Result<Response<GetDocumentResponse>, Status> {
        let caller = Caller::of(&request)?.clone();
        let stored = self.readable(&caller, &request.get_ref().document_id).await?;
        Ok(Response::new(GetDocumentResponse { document: Some(stored.document) }))
    }

    async fn renew_document(
        &self,
        request: Request<Streaming<RenewDocumentRequest>>,
    ) -> Result<Response<RenewDocumentResponse>, Status> {
        let caller = Caller::of(&request)?.clone();
        let mut stream = request.into_inner();
        let renewal = match stream.message().await?.and_then(|message| message.payload) {
            Some(renew_document_request::Payload::Metadata(metadata)) => metadata,
            _ => return Err(Error::invalid("metadata", "send the renewal's metadata first, then its bytes").into()),
        };
        let old = documents::find(self.db.conn(), &renewal.document_id)
            .await?
            .ok_or_else(|| Error::NotFound { kind: "document", id: renewal.document_id.clone() })?
            .document;
        if !acts_for(&caller, &old.provider_id) {
            return Err(
                Error::PermissionDenied("only the provider's own members may renew its documents".into()).into()
            );
        }
        idempotency::check_request_id("metadata.request_id", &renewal.request_id)?;
        // A renewal is a new document of the same kind, in the same locker.
        let metadata = UploadDocumentMetadata {
            request_id: renewal.request_id.clone(),
            provider_id: old.provider_id.clone(),
            kind: old.kind,
            title: if renewal.title.trim().is_empty() { old.title.clone() } else { renewal.title.clone() },
            filename: renewal.filename,
            size_bytes: renewal.size_bytes,
            sha256_hex: renewal.sha256_hex,
            valid_from: renewal.valid_from,
            expires_on: renewal.expires_on,
            insurance: renewal.insurance,
        };
        let new = NewDocument::parse(&metadata, "metadata", london_today()).map_err(Error::InvalidArgument)?;
        let (bytes, kind, sha256) = read_file(&mut stream, renew_chunk, &new, self.max_bytes).await?;
        let status = screen(&self.scanner, &bytes).await?;
        let mut document = new_document(&new, &caller, (&bytes, kind, sha256), status);
        document.supersedes_document_id.clone_from(&old.id);
        let (db, files) = (self.db.clone(), self.files.clone());
        let old_id = old.id.clone();
        let document_id = tokio::spawn(async move {
            record(
                &db,
                &files,
                &caller,
                "RenewDocument",
                &metadata.request_id,
                Received { document, bytes },
                Some(old_id),
            )
            .await
        })
        .await
        .map_err(Error::internal)??;
        let read = |id: String| async move {
            let not_found = Error::NotFound { kind: "document", id: id.clone() };
            documents::find(self.db.conn(), &id).await?.ok_or(not_found).map(|stored| stored.document)
        };
        let renewed = read(document_id).await?;
        let superseded = read(old.id).await?;
        Ok(Response::new(RenewDocumentResponse { document: Some(renewed), superseded_document: Some(superseded) }))
    }

    async fn verify_document(
        &self,
        request: Request<VerifyDocumentRequest>,
    ) -> Result<Response<VerifyDocumentResponse>, Status> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        let note =
            optional_text(&request.note, 1000).map_err(|invalid| Error::InvalidArgument(vec![invalid.at("note")]))?;
        let document = self.decide(caller, request.document_id, Decision::Verify { note }).await?;
        Ok(Response::new(VerifyDocumentResponse { document: Some(document) }))
    }

    async fn reject_document(
        &self,
        request: Request<RejectDocumentRequest>,
    ) -> Result<Response<RejectDocumentResponse>, Status> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        let reason = required_text(&request.reason, 1000).map_err(|_| {
            Error::invalid("reason", "required: say what the provider must put right, for example \"not signed\"")
        })?;
        let document = self.decide(caller, request.document_id, Decision::Reject { reason }).await?;
        Ok(Response::new(RejectDocumentResponse { document: Some(document) }))
    }

    async fn check_compliance(
        &self,
        request: Request<CheckComplianceRequest>,
    ) -> Result<Response<CheckComplianceResponse>, Status> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        let council_side =
            [Role::Officer, Role::Evaluator, Role::Service, Role::Admin].iter().any(|role| caller.has_role(*role));
        if !council_side && request.provider_id.trim() != caller.organisation_id {
            return Err(Error::PermissionDenied(format!(
                "a provider checks only its own locker: give provider_id {}",
                caller.organisation_id
            ))
            .into());
        }
        let mut violations = Vec::new();
        if request.provider_id.trim().is_empty() {
            violations.push(FieldViolation::new("provider_id", "required: whose evidence to check"));
        }
        let on_date = match request.on_date.as_ref().map(parse_date) {
            Some(Ok(date)) => Some(date),
            Some(Err(invalid)) => {
                violations.push(invalid.at("on_date"));
                None
            }
            None => {
                violations.push(FieldViolation::new(
                    "on_date",
                    "required: the day the evidence must be valid (the contract start)",
                ));
                None
            }
        };
        let requirements = parse_requirements(&request.requirements, "", "requirements").unwrap_or_else(|bad| {
            violations.extend(bad);
            Vec::new()
        });
        let Some(on_date) = on_date.filter(|_| violations.is_empty()) else {
            return Err(Error::InvalidArgument(violations).into());
        };
        let locker = documents::all_of(self.db.conn(), &request.provider_id)
            .await?
            .iter()
            .map(locker_document)
            .collect::<Result<Vec<_>, _>>()?;
        let employs_staff = staff::employs_staff(self.db.conn(), &request.provider_id).await?;
        let results = check_requirements(&locker, &requirements, on_date, employs_staff);
        Ok(Response::new(CheckComplianceResponse {
            all_met: all_met(&results),
            summary: summary(&results),
            results: results.iter().map(|result| result.to_proto()).collect(),
            check_time: Some(platform::time::to_timestamp(Utc::now())),
        }))
    }

    async fn list_documents(
        &self,
        request: Request<ListDocumentsRequest>,
    ) -> Result<Response<ListDocumentsResponse>, Status> {
        let caller = Caller::of(&request)?.clone();
        let request = request.into_inner();
        if request.provider_id.trim().is_empty() {
            return Err(Error::invalid("provider_id", "required: whose locker to list").into());
        }
        if !acts_for(&caller, &request.provider_id) {
            return Err(Error::PermissionDenied("only the provider's own members may list its locker".into()).into());
        }
        let page = Page::of(&request)?;
        let found =
            documents::list(self.db.conn(), &request.provider_id, &request.kinds, &request.statuses, page).await?;
        let next_page_token = page.next_token(found.len());
        Ok(Response::new(ListDocumentsResponse { documents: found, next_page_token }))
    }
}
