//! The story, step by step. Each step makes the calls its people would make and checks the outcome
//! a person would check; anything else stops the story with an error saying what went wrong.

use std::future::Future;
use std::io::Write;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use platform::auth::Role;
use proto::commissioning::common::v1::{Date, DateRange, DocumentKind, ServiceCategory};
use proto::commissioning::compliance::v1::compliance_service_client::ComplianceServiceClient;
use proto::commissioning::compliance::v1::{
    RenewDocumentMetadata, RenewDocumentRequest, UploadDocumentRequest, VerifyDocumentRequest, renew_document_request,
    upload_document_request,
};
use proto::commissioning::evaluation::v1::evaluation_service_client::EvaluationServiceClient;
use proto::commissioning::evaluation::v1::*;
use proto::commissioning::providers::v1::providers_service_client::ProvidersServiceClient;
use proto::commissioning::providers::v1::{AddServiceRequest, CreateProviderRequest, SearchProvidersRequest};
use proto::commissioning::tendering::v1::tendering_service_client::TenderingServiceClient;
use proto::commissioning::tendering::v1::*;
use tonic::Request;

use evaluation::domain::points;
use platform::evidence::kind_name;
use platform::money::Pence;

use super::cast::{self, CHARITIES};
use super::{Connection, Narrator, Pace, Summary, Tokens};

/// The story's steps, for the progress counter.
const STEPS: usize = 12;

/// Who is who in the story, with their tokens.
struct People {
    lambeth: String,
    woking: String,
    finance: String,
    evaluator: String,
    resident: String,
    moderator: String,
    /// Each charity's provider id and a member's token, in `CHARITIES` order.
    charities: Vec<(String, String)>,
}

/// Walks the whole story against `connection`, printing to `out`; returns what it did. After each
/// step `between_steps` is called with the step's number: the end-to-end tests restart a service
/// there.
pub async fn run(
    connection: &Connection,
    tokens: &Tokens,
    pace: &Pace,
    out: impl Write,
    between_steps: impl AsyncFnMut(usize) -> anyhow::Result<()>,
) -> anyhow::Result<Summary> {
    let mut story = Story {
        between_steps,
        connection: connection.clone(),
        pace,
        narrator: Narrator::new(out, STEPS),
        summary: Summary::default(),
        people: People {
            lambeth: tokens.mint("olu.adeyemi", "lambeth", "Lambeth", &[Role::Officer])?,
            woking: tokens.mint("wendy.hart", "woking", "Woking", &[Role::Officer])?,
            finance: tokens.mint("lambeth-finance", "lambeth", "Lambeth", &[Role::Integrator])?,
            evaluator: tokens.mint("eve.okafor", "lambeth", "Lambeth", &[Role::Evaluator])?,
            resident: tokens.mint("rosa.martin", "lambeth", "Lambeth", &[Role::Evaluator])?,
            moderator: tokens.mint("mo.shah", "lambeth", "Lambeth", &[Role::Evaluator])?,
            charities: Vec::new(),
        },
        tokens,
    };
    story.walk().await?;
    Ok(story.summary)
}

struct Story<'a, W: Write, B> {
    between_steps: B,
    connection: Connection,
    pace: &'a Pace,
    narrator: Narrator<W>,
    summary: Summary,
    people: People,
    tokens: &'a Tokens,
}

/// A request carrying `token`.
fn signed<T>(message: T, token: &str) -> anyhow::Result<Request<T>> {
    let mut request = Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse()?);
    Ok(request)
}

/// Retries `attempt` until it gives a value, for what happens through events a moment later.
async fn eventually<T, F, Fut>(what: &str, attempt: F) -> anyhow::Result<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(value) = attempt().await {
            return Ok(value);
        }
        if tokio::time::Instant::now() > deadline {
            bail!("{what} did not happen within a minute");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// "GBP 21,000" for 2100000 pence.
fn pence(amount: i64) -> String {
    Pence::new(u64::try_from(amount).unwrap_or(0)).to_string()
}

/// "a1b2c3d4…" for a hash.
fn short(hash: &str) -> String {
    format!("{}…", hash.chars().take(12).collect::<String>())
}

impl<W: Write, B: AsyncFnMut(usize) -> anyhow::Result<()>> Story<'_, W, B> {
    fn tenders(&self) -> TenderingServiceClient<tonic::transport::Channel> {
        TenderingServiceClient::new(self.connection.tendering.clone())
    }

    fn documents(&self) -> ComplianceServiceClient<tonic::transport::Channel> {
        ComplianceServiceClient::new(self.connection.compliance.clone())
    }

    fn evaluations(&self) -> EvaluationServiceClient<tonic::transport::Channel> {
        EvaluationServiceClient::new(self.connection.evaluation.clone())
    }

    async fn walk(&mut self) -> anyhow::Result<()> {
        // The charities are on the marketplace first, so that tenders posted after are matched to them.
        self.register_charities().await?;
        (self.between_steps)(1).await?;
        let (lambeth, woking) = self.post_tenders().await?;
        if self.pace.stop_after_publishing {
            let _ = writeln!(self.narrator.out, "\nStopped with the tenders open, as asked.");
            return Ok(());
        }
        (self.between_steps)(2).await?;
        self.register_block_contract().await?;
        (self.between_steps)(3).await?;
        self.hear_and_ask(&lambeth, &woking).await?;
        (self.between_steps)(4).await?;
        let receipts = self.bid(&lambeth).await?;
        (self.between_steps)(5).await?;
        self.open_bids(&lambeth, &receipts).await?;
        if self.pace.stop_after_bidding {
            self.opened_evaluation(&lambeth).await?;
            let _ = writeln!(
                self.narrator.out,
                "\nStopped with Lambeth's tender closed and its evaluation open, before the panel is assigned, as asked."
            );
            return Ok(());
        }
        (self.between_steps)(6).await?;
        let evaluation = self.score(&lambeth, &receipts).await?;
        (self.between_steps)(7).await?;
        self.moderate(&evaluation).await?;
        (self.between_steps)(8).await?;
        let contract = self.award(&lambeth, &receipts).await?;
        (self.between_steps)(9).await?;
        self.record_purchase_order(&contract).await?;
        (self.between_steps)(10).await?;
        self.read_feedback(&lambeth).await?;
        (self.between_steps)(11).await?;
        self.portfolio().await?;
        self.close();
        Ok(())
    }

    /// Times for a tender published now: enquiries end halfway, bids after the bid period.
    fn periods(&self) -> (prost_types::Timestamp, prost_types::Timestamp) {
        let now = chrono::Utc::now();
        let period = chrono::Duration::from_std(self.pace.bid_period).unwrap_or_default();
        let enquiries = now + period / 2 + chrono::Duration::seconds(1);
        let deadline = now + period + chrono::Duration::seconds(3);
        (platform::time::to_timestamp(enquiries), platform::time::to_timestamp(deadline))
    }

    async fn publish(&mut self, template: &str, mut tender: Tender, token: &str) -> anyhow::Result<Tender> {
        let (enquiries, deadline) = self.periods();
        tender.enquiry_period_end = tender.enquiry_period_end.or(Some(enquiries));
        tender.bid_deadline = Some(deadline);
        let create = CreateTenderRequest {
            request_id: uuid::Uuid::new_v4().to_string(),
            template_id: template.into(),
            tender: Some(tender),
        };
        let draft = self.tenders().create_tender(signed(create, token)?).await?.into_inner().tender.context("draft")?;
        let publish = PublishTenderRequest { tender_id: draft.id };
        let published = self.tenders().publish_tender(signed(publish, token)?).await?;
        let published = published.into_inner().tender.context("tender")?;
        ensure!(published.status() == TenderStatus::ActiveEnquiries, "the tender was not published");
        self.summary.tenders_posted += 1;
        Ok(published)
    }

    async fn post_tenders(&mut self) -> anyhow::Result<(Tender, Tender)> {
        self.narrator.step("Councils post micro-tenders from templates");
        let lambeth_token = self.people.lambeth.clone();
        let mut lambeth = cast::lambeth_tender();
        if self.pace.stop_after_publishing {
            // Left open to try the portal with: Lambeth's takes bids at once, Woking's questions.
            let opens = chrono::Utc::now() + chrono::Duration::seconds(2);
            lambeth.enquiry_period_end = Some(platform::time::to_timestamp(opens));
        }
        let lambeth = self.publish("community-connector", lambeth, &lambeth_token).await?;
        let evidence: Vec<_> = lambeth
            .evidence_requirements
            .iter()
            .map(|requirement| {
                let kind = DocumentKind::try_from(requirement.kind).unwrap_or(DocumentKind::Unspecified);
                let cover = requirement.minimum_cover.as_ref().map_or(0, |money| money.amount_pence);
                let employers = if requirement.only_if_employing_staff { " if it employs staff" } else { "" };
                format!("{} {}{employers}", kind_name(kind), pence(cover))
            })
            .collect();
        self.narrator.say(&format!("Lambeth, with its NHS integrated care board: \"{}\"", lambeth.title));
        self.narrator
            .say(&format!("  GBP 24,000, funded 60% / 40%; the winner must evidence {}", evidence.join(" and ")));
        let woking_token = self.people.woking.clone();
        let woking = self.publish("group-activities", cast::woking_tender(), &woking_token).await?;
        self.narrator.say(&format!("Woking: \"{}\"", woking.title));
        Ok((lambeth, woking))
    }

    async fn register_block_contract(&mut self) -> anyhow::Result<()> {
        self.narrator.step("Lambeth registers a block contract it already holds");
        let request = RegisterContractRequest {
            request_id: uuid::Uuid::new_v4().to_string(),
            contract: Some(cast::block_contract()),
        };
        let contract = self.tenders().register_contract(signed(request, &self.people.lambeth)?).await?;
        let contract = contract.into_inner().contract.context("contract")?;
        ensure!(contract.route() == ContractRoute::Block, "the contract was not registered as a block contract");
        self.narrator.say("Day opportunities, borough-wide: Large Care Group plc, GBP 450,000 over three years");
        Ok(())
    }

    async fn register_charities(&mut self) -> anyhow::Result<()> {
        self.narrator.step("Three small charities join and fill their lockers once");
        for (index, charity) in CHARITIES.iter().enumerate() {
            let worker =
                self.tokens.mint(&format!("charity-worker-{index}"), "platform", charity.name, &[Role::Provider])?;
            let mut providers = ProvidersServiceClient::new(self.connection.providers.clone());
            let create = CreateProviderRequest {
                request_id: uuid::Uuid::new_v4().to_string(),
                provider: Some(cast::profile(charity)),
            };
            let provider =
                providers.create_provider(signed(create, &worker)?).await?.into_inner().provider.context("provider")?;
            let member =
                self.tokens.mint(&format!("charity-worker-{index}"), &provider.id, charity.name, &[Role::Provider])?;
            let service = AddServiceRequest {
                request_id: uuid::Uuid::new_v4().to_string(),
                provider_id: provider.id.clone(),
                service: Some(cast::connector_service(charity)),
            };
            providers.add_service(signed(service, &member)?).await?;
            let mut kinds = vec![(DocumentKind::PublicLiabilityInsurance, charity.public_liability_pounds)];
            if charity.paid_staff > 0 {
                kinds.push((DocumentKind::EmployersLiabilityInsurance, 5_000_000));
            }
            for (kind, pounds) in kinds {
                let metadata = cast::certificate(&provider.id, kind, pounds, &uuid::Uuid::new_v4().to_string());
                let messages = vec![
                    UploadDocumentRequest { payload: Some(upload_document_request::Payload::Metadata(metadata)) },
                    UploadDocumentRequest { payload: Some(upload_document_request::Payload::Chunk(cast::pdf())) },
                ];
                self.documents().upload_document(signed(futures::stream::iter(messages), &member)?).await?;
            }
            let size = provider.size_class().as_str_name().trim_start_matches("SIZE_CLASS_").to_lowercase();
            self.narrator.say(&format!(
                "{}: {size}{}, public liability {}{}",
                charity.name,
                if provider.vcse { " VCSE" } else { "" },
                pence(charity.public_liability_pounds * 100),
                if charity.public_liability_pounds < 5_000_000 { " (Lambeth asks for GBP 5,000,000)" } else { "" },
            ));
            self.people.charities.push((provider.id, member));
            self.summary.charities += 1;
        }
        Ok(())
    }

    async fn hear_and_ask(&mut self, lambeth: &Tender, woking: &Tender) -> anyhow::Result<()> {
        self.narrator.step("Matching charities hear of the tenders; a question is answered for all");
        let search = SearchProvidersRequest {
            categories: vec![ServiceCategory::CommunityConnector as i32],
            council_id: "lambeth".into(),
            ..Default::default()
        };
        let mut providers = ProvidersServiceClient::new(self.connection.providers.clone());
        let found = providers.search_providers(signed(search, &self.people.lambeth)?).await?.into_inner().results;
        self.narrator.say(&format!(
            "{} charities offer community connectors in Brixton and Stockwell and are told of Lambeth's tender; Woking's goes to group-activity providers near {}",
            found.len(),
            woking.areas.first().map(|area| area.label.as_str()).unwrap_or("Woking"),
        ));
        let (_, asker) = self.people.charities.first().context("a charity")?.clone();
        let ask = AskQuestionRequest {
            request_id: uuid::Uuid::new_v4().to_string(),
            tender_id: lambeth.id.clone(),
            text: "Can volunteers claim their bus fares?".into(),
        };
        let question =
            self.tenders().ask_question(signed(ask, &asker)?).await?.into_inner().question.context("question")?;
        let answer = AnswerQuestionRequest {
            question_id: question.id,
            answer: "Yes: travel expenses for volunteers are an allowable cost; include them in your price.".into(),
            published_text: String::new(),
        };
        self.tenders().answer_question(signed(answer, &self.people.lambeth)?).await?;
        let (_, other) = self.people.charities.get(1).context("a second charity")?.clone();
        let list = ListQuestionsRequest { tender_id: lambeth.id.clone(), ..Default::default() };
        let seen = self.tenders().list_questions(signed(list, &other)?).await?.into_inner().questions;
        ensure!(seen.len() == 1 && !seen[0].asked_by_caller, "the answer was not published to everyone");
        self.narrator.say(&format!("Q: {}  A: {}", seen[0].text, seen[0].answer));
        Ok(())
    }

    async fn bid(&mut self, tender: &Tender) -> anyhow::Result<Vec<BidReceipt>> {
        self.narrator.step("Sealed bids go in, one from a consortium of two small charities, its partner confirming");
        let opens =
            tender.enquiry_period_end.as_ref().and_then(platform::time::from_timestamp).context("enquiry end")?;
        tokio::time::sleep((opens - chrono::Utc::now()).to_std().unwrap_or_default()).await;
        let (club, club_token) = self.people.charities.first().context("club")?.clone();
        let (neighbours, neighbours_token) = self.people.charities.get(1).context("neighbours")?.clone();
        let (stockwell, stockwell_token) = self.people.charities.get(2).context("stockwell")?.clone();
        let content = |pounds: i64, partners: Vec<ConsortiumPartner>| BidContent {
            total_price: Some(cast::gbp(pounds)),
            answers: tender
                .bid_questions
                .iter()
                .map(|question| Answer {
                    bid_question_id: question.id.clone(),
                    text: "Our volunteers meet people at the GP surgery and walk with them to the clubs nearby.".into(),
                })
                .collect(),
            consortium_partners: partners,
            evidence_declaration: true,
            ..Default::default()
        };
        let bids = [
            (club.clone(), club_token, content(21_000, Vec::new())),
            (
                neighbours.clone(),
                neighbours_token,
                content(
                    23_500,
                    vec![ConsortiumPartner {
                        provider_id: stockwell.clone(),
                        name: "Stockwell Community Connect".into(),
                        role: "runs the connectors in Stockwell".into(),
                    }],
                ),
            ),
        ];
        let mut receipts = Vec::new();
        for (provider, token, content) in bids {
            let request = SubmitBidRequest {
                request_id: uuid::Uuid::new_v4().to_string(),
                tender_id: tender.id.clone(),
                provider_id: provider,
                content: Some(content),
            };
            let receipt = eventually("bidding opening", || {
                let (mut tenders, request, token) = (self.tenders(), request.clone(), token.clone());
                async move { tenders.submit_bid(signed(request, &token).ok()?).await.ok() }
            })
            .await?
            .into_inner()
            .receipt
            .context("receipt")?;
            let received = receipt
                .receive_time
                .as_ref()
                .and_then(platform::time::from_timestamp)
                .map(|time| time.to_rfc3339())
                .unwrap_or_default();
            self.narrator.say(&format!("receipt: SHA-256 {} received {received}", short(&receipt.sha256_hex)));
            receipts.push(receipt);
            self.summary.bids += 1;
        }
        self.confirm_partner(tender, &stockwell_token).await?;
        let seen = self
            .tenders()
            .get_tender(signed(GetTenderRequest { tender_id: tender.id.clone() }, &self.people.lambeth)?)
            .await?;
        let count = seen.into_inner().tender.context("tender")?.bid_count;
        ensure!(count == 2, "Lambeth should see 2 bids, saw {count}");
        self.narrator.say("Lambeth sees that 2 bids are in, and nothing of what they say");
        Ok(receipts)
    }

    /// The partner's members read the bid that names their charity and confirm it may be named.
    async fn confirm_partner(&mut self, tender: &Tender, partner_token: &str) -> anyhow::Result<()> {
        let read = GetMyBidRequest { tender_id: tender.id.clone(), ..Default::default() };
        let named = self.tenders().get_my_bid(signed(read, partner_token)?).await?.into_inner().bid.context("bid")?;
        ensure!(named.viewed_as_partner, "the partner should read the lead's bid as a partner");
        let confirm = ConfirmConsortiumPartnerRequest { bid_id: named.id.clone() };
        let confirmed = self.tenders().confirm_consortium_partner(signed(confirm, partner_token)?).await?;
        let partners = confirmed.into_inner().bid.context("bid")?.partners;
        let partner = partners.first().context("the partner")?;
        ensure!(partner.status() == PartnerStatus::Confirmed, "the partner's confirmation was not recorded");
        self.narrator.say(&format!(
            "{} reads the bid that names it (it cannot change it) and confirms it agrees to be named",
            partner.name
        ));
        Ok(())
    }

    async fn open_bids(&mut self, tender: &Tender, receipts: &[BidReceipt]) -> anyhow::Result<()> {
        self.narrator.step("The deadline passes and the bids are opened");
        let request = GetOpeningRecordRequest { tender_id: tender.id.clone() };
        let record = eventually("the opening", || {
            let (mut tenders, request, token) = (self.tenders(), request.clone(), self.people.lambeth.clone());
            async move { tenders.get_opening_record(signed(request, &token).ok()?).await.ok() }
        })
        .await?
        .into_inner()
        .opening_record
        .context("record")?;
        for entry in &record.entries {
            let matches = receipts.iter().any(|receipt| receipt.sha256_hex == entry.sha256_hex);
            ensure!(matches, "an opened bid's hash matches no receipt");
            self.narrator.say(&format!("{}: {} (matches its receipt)", entry.provider_name, short(&entry.sha256_hex)));
        }
        Ok(())
    }

    /// The tender's evaluation, once evaluation has opened it from the tender's closing.
    async fn opened_evaluation(&self, tender: &Tender) -> anyhow::Result<Evaluation> {
        let lookup = GetEvaluationRequest { tender_id: tender.id.clone(), ..Default::default() };
        eventually("the evaluation opening", || {
            let (mut evaluations, lookup, token) = (self.evaluations(), lookup.clone(), self.people.lambeth.clone());
            async move { evaluations.get_evaluation(signed(lookup, &token).ok()?).await.ok() }
        })
        .await?
        .into_inner()
        .evaluation
        .context("evaluation")
    }

    async fn score(&mut self, tender: &Tender, receipts: &[BidReceipt]) -> anyhow::Result<Evaluation> {
        self.narrator.step("A panel with a resident member scores the bids independently");
        let evaluation = self.opened_evaluation(tender).await?;
        let social: Vec<String> = evaluation
            .criteria
            .iter()
            .filter(|criterion| criterion.kind() == CriterionKind::SocialValue)
            .map(|criterion| criterion.id.clone())
            .collect();
        let members = [
            ("eve.okafor", "Eve Okafor, commissioning officer", PanelRole::Evaluator, Vec::new()),
            ("rosa.martin", "Rosa Martin, resident of Brixton", PanelRole::ResidentEvaluator, social.clone()),
            ("mo.shah", "Mo Shah, moderator", PanelRole::Moderator, Vec::new()),
        ];
        for (user, name, role, criteria) in members {
            let member = PanelMember {
                user_id: user.into(),
                display_name: name.into(),
                role: role as i32,
                criterion_ids: criteria,
                ..Default::default()
            };
            let request = AssignEvaluatorRequest { evaluation_id: evaluation.id.clone(), member: Some(member) };
            self.evaluations().assign_evaluator(signed(request, &self.people.lambeth)?).await?;
            self.narrator.say(&format!("panel: {name}"));
        }
        let scores_for = |criteria: &mut dyn Iterator<Item = &Criterion>| -> Vec<ScoreInput> {
            let mut scores = Vec::new();
            for criterion in criteria {
                for receipt in receipts {
                    let (score, pass_fail, reason) = match criterion.kind() {
                        CriterionKind::PassFail => {
                            (0, PassFailOutcome::Pass, "named safeguarding lead and a current policy")
                        }
                        _ => (4, PassFailOutcome::Unspecified, "a clear plan rooted in the neighbourhood"),
                    };
                    scores.push(ScoreInput {
                        bid_id: receipt.bid_id.clone(),
                        criterion_id: criterion.id.clone(),
                        score,
                        pass_fail: pass_fail as i32,
                        reason: reason.into(),
                    });
                }
            }
            scores
        };
        let eve =
            scores_for(&mut evaluation.criteria.iter().filter(|criterion| criterion.kind() != CriterionKind::Price));
        let rosa = scores_for(&mut evaluation.criteria.iter().filter(|criterion| social.contains(&criterion.id)));
        for (token, scores, who) in
            [(self.people.evaluator.clone(), eve, "Eve"), (self.people.resident.clone(), rosa, "Rosa")]
        {
            let count = scores.len();
            let request = SubmitScoresRequest { evaluation_id: evaluation.id.clone(), scores, finished: true };
            let status = self.evaluations().submit_scores(signed(request, &token)?).await?.into_inner().status();
            self.narrator.say(&format!(
                "{who} scored {count} times with reasons, without seeing the others ({})",
                status.as_str_name()
            ));
        }
        Ok(evaluation)
    }

    async fn moderate(&mut self, evaluation: &Evaluation) -> anyhow::Result<()> {
        self.narrator.step("The moderator agrees the scores and the evaluation completes");
        let moderator = self.people.moderator.clone();
        for bid in &evaluation.bids {
            for criterion in evaluation.criteria.iter().filter(|criterion| criterion.kind() != CriterionKind::Price) {
                let (score, pass_fail, reason) = match criterion.kind() {
                    CriterionKind::PassFail => {
                        (0, PassFailOutcome::Pass, "safeguarding arrangements meet the council's standard".to_owned())
                    }
                    _ => (
                        4,
                        PassFailOutcome::Unspecified,
                        format!("{}: good; evidence of reaching housebound people would score 5", criterion.name),
                    ),
                };
                let request = ModerateScoreRequest {
                    evaluation_id: evaluation.id.clone(),
                    bid_id: bid.bid_id.clone(),
                    criterion_id: criterion.id.clone(),
                    score,
                    pass_fail: pass_fail as i32,
                    reason,
                };
                self.evaluations().moderate_score(signed(request, &moderator)?).await?;
            }
        }
        let complete = CompleteEvaluationRequest { evaluation_id: evaluation.id.clone() };
        let completed = self.evaluations().complete_evaluation(signed(complete, &moderator)?).await?;
        let completed = completed.into_inner().evaluation.context("evaluation")?;
        for ranked in completed.results.iter().flat_map(|lot| &lot.ranking) {
            self.narrator.say(&format!(
                "rank {}: {} with {} points{}",
                ranked.rank,
                ranked.provider_name,
                points(ranked.total_score_hundredths),
                if ranked.evidence_all_met { "" } else { " (evidence not yet complete)" },
            ));
        }
        Ok(())
    }

    async fn award(&mut self, tender: &Tender, receipts: &[BidReceipt]) -> anyhow::Result<Contract> {
        self.narrator.step("The award: refused while the winner's cover is short, made once it renews");
        let (club, club_token) = self.people.charities.first().context("club")?.clone();
        let winning = receipts.iter().find(|receipt| receipt.provider_id == club).context("the club's bid")?;
        let award = || AwardTenderRequest {
            request_id: uuid::Uuid::new_v4().to_string(),
            tender_id: tender.id.clone(),
            bid_id: winning.bid_id.clone(),
            cost_centre: "ASC-PREV-01".into(),
            ..Default::default()
        };
        let refused = eventually("the ranking reaching tendering", || {
            let (mut tenders, request, token) = (self.tenders(), award(), self.people.lambeth.clone());
            async move {
                match tenders.award_tender(signed(request, &token).ok()?).await {
                    Err(status) if status.message().contains("evaluation has not been completed") => None,
                    other => Some(other),
                }
            }
        })
        .await?;
        let refused = match refused {
            Ok(_) => bail!("the award to a charity with short cover was made"),
            Err(status) => status,
        };
        ensure!(refused.code() == tonic::Code::FailedPrecondition, "the award failed: {refused:?}");
        self.narrator.say(&format!("refused: {}", refused.message()));
        self.summary.refused_award_shortfall = refused.message().to_owned();

        // The club renews its certificate with GBP 5m cover, and Lambeth verifies it.
        let list = proto::commissioning::compliance::v1::ListDocumentsRequest {
            provider_id: club.clone(),
            ..Default::default()
        };
        let documents = self.documents().list_documents(signed(list, &club_token)?).await?.into_inner().documents;
        let old = documents
            .iter()
            .find(|document| document.kind == DocumentKind::PublicLiabilityInsurance as i32)
            .context("the club's certificate")?;
        let renewal = cast::certificate(&club, DocumentKind::PublicLiabilityInsurance, 5_000_000, "renewal");
        let metadata = RenewDocumentMetadata {
            request_id: uuid::Uuid::new_v4().to_string(),
            document_id: old.id.clone(),
            title: "Insurance certificate 2026-28 (renewed)".into(),
            filename: "renewed-certificate.pdf".into(),
            valid_from: renewal.valid_from,
            expires_on: renewal.expires_on,
            insurance: renewal.insurance,
            ..Default::default()
        };
        let messages = vec![
            RenewDocumentRequest { payload: Some(renew_document_request::Payload::Metadata(metadata)) },
            RenewDocumentRequest { payload: Some(renew_document_request::Payload::Chunk(cast::pdf())) },
        ];
        let renewed = self.documents().renew_document(signed(futures::stream::iter(messages), &club_token)?).await?;
        let renewed = renewed.into_inner().document.context("renewed")?;
        let verify =
            VerifyDocumentRequest { document_id: renewed.id.clone(), note: "schedule of cover checked".into() };
        self.documents().verify_document(signed(verify, &self.people.lambeth)?).await?;
        self.narrator
            .say("Tulse Hill Friendship Club renews its public liability at GBP 5,000,000; Lambeth verifies it");

        let awarded = self.tenders().award_tender(signed(award(), &self.people.lambeth)?).await?.into_inner();
        let contract = awarded.contract.context("contract")?;
        let supplier = contract.supplier.as_ref().map(|supplier| supplier.name.clone()).unwrap_or_default();
        let value = contract.value.as_ref().map_or(0, |value| value.amount_pence);
        self.narrator.say(&format!("awarded to {supplier}: {} for 2027-28", pence(value)));
        self.summary.winner = supplier;
        self.summary.contract_value_pence = value;
        Ok(contract)
    }

    async fn record_purchase_order(&mut self, contract: &Contract) -> anyhow::Result<()> {
        self.narrator.step("The council's finance system picks up the award and records a purchase order");
        let list = ListContractsRequest {
            council_id: "lambeth".into(),
            routes: vec![ContractRoute::MicroTender as i32],
            ..Default::default()
        };
        let listed = self.tenders().list_contracts(signed(list, &self.people.finance)?).await?.into_inner().contracts;
        ensure!(listed.iter().any(|listed| listed.id == contract.id), "the integrator cannot see the new contract");
        let record = RecordFinanceReferenceRequest {
            contract_id: contract.id.clone(),
            purchase_order_number: "PO-448812".into(),
            supplier_reference: "SUP-20931".into(),
            ..Default::default()
        };
        let linked = self.tenders().record_finance_reference(signed(record, &self.people.finance)?).await?;
        let order = linked
            .into_inner()
            .contract
            .and_then(|contract| contract.finance)
            .map(|finance| finance.purchase_order_number)
            .unwrap_or_default();
        self.narrator
            .say(&format!("purchase order {order} recorded against the contract (tendering.finance_linked published)"));
        self.summary.purchase_order = order;
        Ok(())
    }

    async fn read_feedback(&mut self, tender: &Tender) -> anyhow::Result<()> {
        self.narrator.step("Every bidder reads its assessment summary");
        let charities: Vec<_> = self.people.charities.iter().take(2).cloned().collect();
        for (_, token) in charities {
            let request = GetBidFeedbackRequest { tender_id: tender.id.clone(), ..Default::default() };
            let feedback = eventually("feedback being released", || {
                let (mut evaluations, request, token) = (self.evaluations(), request.clone(), token.clone());
                async move { evaluations.get_bid_feedback(signed(request, &token).ok()?).await.ok() }
            })
            .await?
            .into_inner()
            .feedback
            .context("feedback")?;
            let lot = feedback.lots.first().context("a lot")?;
            let reason = lot
                .criteria
                .iter()
                .find(|criterion| !criterion.reason.is_empty())
                .map(|criterion| criterion.reason.clone())
                .unwrap_or_default();
            self.narrator.say(&format!(
                "rank {} of {}, {} points against the winner's {}{}; \"{reason}\"",
                lot.rank,
                lot.ranked_bid_count,
                points(lot.total_score_hundredths),
                points(lot.winning_total_score_hundredths),
                if lot.successful { " (successful)" } else { "" },
            ));
            self.summary.feedback_read += 1;
        }
        Ok(())
    }

    async fn portfolio(&mut self) -> anyhow::Result<()> {
        self.narrator.step("Lambeth's portfolio, block and micro side by side, and its open data");
        let request = GetCommissioningSummaryRequest {
            council_id: "lambeth".into(),
            period: Some(DateRange {
                start_date: Some(Date { year: 2026, month: 4, day: 1 }),
                end_date: Some(Date { year: 2028, month: 3, day: 31 }),
            }),
        };
        let summary = self.tenders().get_commissioning_summary(signed(request, &self.people.lambeth)?).await?;
        let summary = summary.into_inner().summary.context("summary")?;
        for route in &summary.by_route {
            let value = route.total_value.as_ref().map_or(0, |value| value.amount_pence);
            let name =
                route.route().as_str_name().trim_start_matches("CONTRACT_ROUTE_").replace('_', "-").to_lowercase();
            self.narrator.say(&format!("{name}: {} contract(s), {}", route.contract_count, pence(value)));
            match route.route() {
                ContractRoute::Block => self.summary.block_contracts = route.contract_count,
                ContractRoute::MicroTender => self.summary.micro_contracts = route.contract_count,
                ContractRoute::Unspecified => {}
            }
        }
        self.summary.small_share_basis_points = summary.micro_and_small_share_basis_points;
        self.summary.vcse_share_basis_points = summary.vcse_share_basis_points;
        self.narrator.say(&format!(
            "share with micro and small providers {}%, with VCSE providers {}%",
            points(summary.micro_and_small_share_basis_points),
            points(summary.vcse_share_basis_points),
        ));
        // Open data: read as the public would, without a token.
        let export = GetOcdsReleasePackageRequest { council_id: "lambeth".into(), ..Default::default() };
        let package = self.tenders().get_ocds_release_package(export).await?;
        let package: serde_json::Value = serde_json::from_str(&package.into_inner().release_package_json)?;
        let releases = package["releases"].as_array().map_or(0, Vec::len);
        let funders = package["releases"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|release| {
                release.pointer("/planning/budget/budgetBreakdown").and_then(|entries| entries.as_array())
            })
            .map_or(0, Vec::len);
        self.narrator.say(&format!(
            "OCDS 1.1 release package read without a token: {releases} releases; the jointly funded tender's budget \
             shows each of its {funders} funders' share"
        ));
        self.summary.ocds_releases = releases;
        Ok(())
    }

    fn close(&mut self) {
        let summary = &self.summary;
        let _ = writeln!(
            self.narrator.out,
            "\nIn short: {} tenders posted; {} charities joined with their evidence once; {} sealed bids; the award waited \
             until the winner's cover was right; {} holds a {} contract with purchase order {}; {} bidders read their \
             feedback; Lambeth's portfolio has {} block and {} micro contract(s), {}% of the value with VCSE providers.",
            summary.tenders_posted,
            summary.charities,
            summary.bids,
            summary.winner,
            pence(summary.contract_value_pence),
            summary.purchase_order,
            summary.feedback_read,
            summary.block_contracts,
            summary.micro_contracts,
            points(summary.vcse_share_basis_points),
        );
    }
}
